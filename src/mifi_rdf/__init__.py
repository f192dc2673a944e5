"""mifi-rdf: statistical tables of MIFI access-to-information letters as RDF Data Cube.

`frame` and `read_frame` (tabular/) are imported when first used, so that importing the package
(and starting the CLI) loads neither pandas nor the cube builder."""

__version__ = "0.1.0"
__all__ = ["frame", "read_frame"]


def __getattr__(name: str):
    if name == "frame":
        from .tabular.frame import frame

        return frame
    if name == "read_frame":
        from .tabular.read import read_frame

        return read_frame
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
