import pytest

from lamina._lookup import lookup

TABLE = {"adam": 1, "sgd": 2, "RMSprop": 3}


def test_lookup_ignores_case_and_underscores():
    assert lookup(TABLE, "Adam", "optimizer") == 1
    assert lookup(TABLE, "rms_prop", "optimizer") == 3


def test_unknown_name_suggests_the_closest():
    with pytest.raises(ValueError, match=r"Unknown optimizer: 'adm'\. Did you mean 'adam'\?"):
        lookup(TABLE, "adm", "optimizer")
    with pytest.raises(TypeError, match="expected a name"):
        lookup(TABLE, 3, "optimizer")


def test_suggestion_ranks_by_the_normalised_name():
    table = {"adam": 1, "adamax": 2, "adamw": 3}
    with pytest.raises(ValueError, match="Did you mean 'adam'"):
        lookup(table, "adma", "optimizer")
