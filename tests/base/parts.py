"""Small plug-in classes for the loader's tests, named by their dotted paths."""


class Part:
    name = ""


class Blue(Part):
    name = "blue"


class Red(Part):
    name = "red"


class Stranger:
    """Has a name, but is no Part."""

    name = "stranger"
