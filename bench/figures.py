"""How the benchmarks print a figure beside its target."""


def decimals(value: float, threshold: float, places: int = 3) -> str:
    """`value` with `places` decimals, or as many more as it takes for a figure under its
    target not to read as reaching it (0.8698 is not "0.870", NOT met), nor one that reaches
    it as falling short."""
    for more in range(places, places + 7):
        shown = f"{value:.{more}f}"
        if (float(shown) >= threshold) == (value >= threshold):
            return shown
    return repr(value)
