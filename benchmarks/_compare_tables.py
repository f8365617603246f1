"""The tables benchmarks/compare.py prints: training, inference, memory and library rows,
each with the lamina/PyTorch ratio against its target."""

from __future__ import annotations

from _compare_models import INFER_BATCH, MODELS, TARGETS
from _timing import format_table


def _ratio(row, field):
    t = row.get(f"torch_{field}")
    return row[f"lamina_{field}"] / t if t else None


def _fmt(value, spec):
    return "-" if value is None else format(value, spec)


def _verdict(ratio, target):
    return "-" if ratio is None else ("ok" if ratio <= target else "MISS")


def tables(rows: list[dict], library: dict, have_torch: bool) -> str:
    out = []
    train = []
    numpy_path = any("numpy_epoch_s" in r for r in rows)
    for r in rows:
        ratio = _ratio(r, "epoch_s")
        target = MODELS[r["key"]][6]
        extra = []
        if numpy_path:
            t = r.get("torch_epoch_s")
            extra = [f"{r['numpy_epoch_s']:.2f}", _fmt(t and r["numpy_epoch_s"] / t, ".2f")]
        train.append([r["model"], f"{r['lamina_epoch_s']:.2f}",
                      _fmt(r.get("torch_epoch_s"), ".2f"), _fmt(ratio, ".2f"),
                      f"<= {target:g}", _verdict(ratio, target), *extra,
                      f"{r['lamina_compile_s']:.2f}",
                      f"{r['lamina_accuracy']:.4f}", _fmt(r.get("torch_accuracy"), ".4f"),
                      f"{r['background_cpu_percent']:.0f}"])
    extra = ["NumPy-only s/epoch", "NumPy-only/torch"] if numpy_path else []
    out.append(format_table(["training", "lamina s/epoch", "torch s/epoch", "lamina/torch",
                             "target", "", *extra, "lamina compile s", "lamina acc",
                             "torch acc", "bg%"], train))
    out.append("(lamina compile s: model.compile(), which loads the numba kernels of "
               "lamina[fast] (importing numba) for the CNNs; not in s/epoch)")
    infer = []
    for r in rows:
        ratio = _ratio(r, "infer_s")
        infer.append([r["model"], f"{1000 * r['lamina_infer_s']:.1f}",
                      _fmt(r.get("torch_infer_s") and 1000 * r["torch_infer_s"], ".1f"),
                      _fmt(ratio, ".2f"), _verdict(ratio, TARGETS["inference"]),
                      f"{r['lamina_samples_per_s']:,.0f}",
                      _fmt(r.get("torch_samples_per_s"), ",.0f")])
    rows_n = rows[0]["runs"]["lamina"][0]["infer_rows"] if rows else 0
    out.append(format_table([f"inference, {rows_n} images at batch {INFER_BATCH}", "lamina ms",
                             "torch ms", "lamina/torch", f"<= {TARGETS['inference']:g}",
                             "lamina img/s", "torch img/s"], infer))
    memory = []
    for r in rows:
        ratio = _ratio(r, "peak_rss_train_mb")
        memory.append([r["model"], f"{r['lamina_peak_rss_train_mb']:.0f}",
                       _fmt(r.get("torch_peak_rss_train_mb"), ".0f"), _fmt(ratio, ".2f"),
                       _verdict(ratio, TARGETS["memory"]), f"{r['lamina_rss_rise_mb']:.0f}",
                       _fmt(r.get("torch_rss_rise_mb"), ".0f")])
    out.append(format_table(["peak RSS while training", "lamina MB", "torch MB", "lamina/torch",
                             f"<= {TARGETS['memory']:g}", "lamina rise", "torch rise"], memory))
    out.append("(peak RSS: the process's whole peak while fit / the loop ran, library and data "
               "included; rise: that peak minus the RSS just before training)")
    lib = [["import (fresh interpreter), ms", f"{library['import_ms']['lamina']:.0f}",
            _fmt(library["import_ms"].get("torch"), ".0f"),
            _fmt(library["import_ms"].get("torch") and library["import_ms"]["lamina"]
                 / library["import_ms"]["torch"], ".2f"),
            _verdict(library["import_ms"]["lamina"] / 1000 / TARGETS["import_s"], 1.0)
            + f" (<= {1000 * TARGETS['import_s']:.0f} ms)"],
           ["installed size with dependencies, MB", f"{library['size']['lamina']['total_mb']:.1f}",
            _fmt(library["size"].get("torch", {}).get("total_mb"), ".1f"),
            _fmt(library["size"].get("torch") and library["size"]["lamina"]["total_mb"]
                 / library["size"]["torch"]["total_mb"], ".3f"), "-"]]
    if "lamina[fast]" in library["size"]:
        fast_mb = library["size"]["lamina[fast]"]["total_mb"]
        lib.append(["  with lamina[fast] (numba), MB", f"{fast_mb:.1f}",
                    _fmt(library["size"].get("torch", {}).get("total_mb"), ".1f"),
                    _fmt(library["size"].get("torch")
                         and fast_mb / library["size"]["torch"]["total_mb"], ".3f"), "-"])
    out.append(format_table(["library", "lamina", "torch", "lamina/torch", "target"], lib))
    if not have_torch:
        out.append("(PyTorch not timed: --lamina-only or not installed)")
    return "\n\n".join(out)
