# rule: disclosed-cell · Warning · the published figures leave it a single value: 8
INSERT DATA { ds:r1-CMR-n def:lowerBound 8 ; def:upperBound 8 . ds:r1-CMR-s def:lowerBound 17.78 ; def:upperBound 17.78 }
