import pytest

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    import matplotlib.pyplot as plt

    plt.close("all")


def labelled_lines(ax):
    """The curves of an Axes that carry a legend label (not helper lines)."""
    return [line for line in ax.get_lines() if not line.get_label().startswith("_")]
