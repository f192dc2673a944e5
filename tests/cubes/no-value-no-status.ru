# rule: ic-15 · Violation · does not say why
# A cell without a value whose status claims a value: "neither" is IC-15's exception not applying.
DELETE DATA { ds:r1-FRA-n def:invitations 20 }
