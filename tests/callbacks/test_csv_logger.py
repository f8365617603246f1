import pytest

from lamina.callbacks import CSVLogger, LambdaCallback
from tests.callbacks.fakes import FakeModel, run_fit

LOGS = [{"val_loss": 0.9, "accuracy": 0.5}, {"val_loss": 0.7, "accuracy": 0.625}]


def test_header_sorted_with_epoch_first_and_one_row_per_epoch(tmp_path):
    path = tmp_path / "logs" / "training.csv"
    run_fit(FakeModel(), [CSVLogger(path)], LOGS, steps=2)
    assert path.read_text() == ("epoch,accuracy,loss,val_loss\n"
                                "0,0.5,0.5,0.9\n"
                                "1,0.625,0.3333333333333333,0.7\n")


def test_rows_are_flushed_every_epoch(tmp_path):
    path = tmp_path / "log.csv"
    seen = []
    reader = LambdaCallback(on_epoch_end=lambda epoch, logs: seen.append(path.read_text()))
    run_fit(FakeModel(), [CSVLogger(str(path)), reader], LOGS, steps=2)
    assert seen[0] == "epoch,accuracy,loss,val_loss\n0,0.5,0.5,0.9\n"
    assert seen[1].count("\n") == 3


def test_append_adds_rows_without_a_second_header(tmp_path):
    path = tmp_path / "log.csv"
    run_fit(FakeModel(), [CSVLogger(path)], LOGS[:1], steps=2)
    run_fit(FakeModel(), [CSVLogger(path, append=True)], LOGS[1:], steps=2)
    assert path.read_text() == ("epoch,accuracy,loss,val_loss\n"
                                "0,0.5,0.5,0.9\n"
                                "0,0.625,0.5,0.7\n")
    run_fit(FakeModel(), [CSVLogger(path)], LOGS[:1], steps=2)  # no append: overwrite
    assert path.read_text().count("\n") == 2


def test_separator_missing_values_and_expected_validation_columns(tmp_path):
    path = tmp_path / "log.tsv"
    model = FakeModel(metrics_names=["loss", "val_loss", "val_mae"])
    run_fit(model, [CSVLogger(path, separator="\t")], [{"mae": 1.5}], steps=1)
    assert path.read_text() == "epoch\tloss\tmae\tval_loss\tval_mae\n0\t1.0\t1.5\tNA\tNA\n"


def test_bad_separator():
    with pytest.raises(ValueError, match=r"separator must be a single character; "
                                         r"received separator=', '"):
        CSVLogger("log.csv", separator=", ")
