"""Read nuportal outputs the way users do, and check them against what nuportal says it wrote.

Run by tests/python_readers.rs (which generates the files and the expectations) with the Python of
the venv that .ci/run creates:  python check_readers.py EXPECTATIONS.json

pyarrow is required; pandas, polars, duckdb and pyhepmc are checked when installed, and skipped
with a printed notice otherwise. Exit status 0 = every check passed.
"""
import json
import math
import sys

import pyarrow.dataset as ds
import pyarrow.parquet as pq

exp = json.load(open(sys.argv[1]))
failures = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        failures.append(what)


def close(a, b, rel=1e-12):
    return abs(a - b) <= rel * max(abs(a), abs(b), 1e-300)


def optional(name):
    try:
        return __import__(name)
    except ImportError as e:
        print(f"skip {name}: not installed ({e})")
        return None


# --- one Parquet file, pyarrow -----------------------------------------------------------------
f = exp["parquet"]
t = pq.read_table(f)
check(t.num_rows == exp["rows"], f"pyarrow: {t.num_rows} rows == {exp['rows']}")
check(t.column_names == exp["columns"], "pyarrow: column names and order")
for col, unit in exp["units"].items():
    got = (t.schema.field(col).metadata or {}).get(b"unit", b"").decode()
    check(got == unit, f"pyarrow: unit of {col} = {got!r} == {unit!r}")
sw = sum(t.column("weight").to_pylist())
check(close(sw, exp["total_weight"], 1e-9), f"pyarrow: sum of weights {sw!r} == {exp['total_weight']!r}")
run = json.loads(t.schema.metadata[b"nuportal"])
check(run["seed"] == exp["seed"], "pyarrow: schema metadata has the seed")
footer = json.loads(pq.read_metadata(f).metadata[b"nuportal"])
check(close(footer["predicted_events"], exp["total_weight"], 1e-12), "pyarrow: footer predicted_events == total weight")

pd = optional("pandas")
if pd is not None:
    df = pd.read_parquet(f)
    check(len(df) == exp["rows"], f"pandas: {len(df)} rows")
    check(list(df.columns) == exp["columns"], "pandas: column names")
    check(close(float(df.weight.sum()), exp["total_weight"], 1e-9), f"pandas: sum of weights {df.weight.sum()!r}")
    check(df.attrs.get("seed") == exp["seed"], "pandas: DataFrame.attrs from PANDAS_ATTRS")

pl = optional("polars")
if pl is not None:
    d = pl.read_parquet(f)
    check(d.height == exp["rows"] and d.columns == exp["columns"], f"polars: {d.height} rows, column names")
    check(close(d["weight"].sum(), exp["total_weight"], 1e-9), "polars: sum of weights")
    md = pl.read_parquet_metadata(f)
    check("nuportal" in md and "nuportal.config" in md, "polars: footer key-value metadata")

duckdb = optional("duckdb")
if duckdb is not None:
    n, s = duckdb.sql(f"SELECT count(*), sum(weight) FROM read_parquet('{f}')").fetchall()[0]
    check(n == exp["rows"] and close(s, exp["total_weight"], 1e-9), f"duckdb: {n} rows, sum of weights {s!r}")
    keys = {k.decode() if isinstance(k, bytes) else k for (k,) in duckdb.sql(f"SELECT key FROM parquet_kv_metadata('{f}')").fetchall()}
    check({"nuportal", "nuportal.config"} <= keys, "duckdb: footer key-value metadata")

# --- the chunked dataset, read as one table ------------------------------------------------------
d = exp["dataset"]
dset = ds.dataset(d, format="parquet", partitioning="hive")
tt = dset.to_table()
check(tt.num_rows == exp["dataset_rows"], f"pyarrow dataset: {tt.num_rows} rows == {exp['dataset_rows']}")
check("chunk" in tt.column_names, "pyarrow dataset: hive partition column `chunk`")
check(sorted(set(tt.column("chunk").to_pylist())) == list(range(exp["pieces"])), "pyarrow dataset: every piece present")
dsw = sum(tt.column("weight").to_pylist())
check(close(dsw, exp["dataset_total_weight"], 1e-9), f"pyarrow dataset: total weight {dsw!r} == unsplit {exp['dataset_total_weight']!r}")
ids = tt.column("event_id").to_pylist()
check(len(set(ids)) == len(ids), "pyarrow dataset: event ids unique across pieces")
if pd is not None:
    df = pd.read_parquet(d)
    check(len(df) == exp["dataset_rows"] and close(float(df.weight.sum()), exp["dataset_total_weight"], 1e-9), "pandas: dataset rows and total weight")
if pl is not None:
    lz = pl.scan_parquet(f"{d}/**/*.parquet", hive_partitioning=True)
    r = lz.select(pl.len(), pl.col("weight").sum(), pl.col("chunk").n_unique()).collect()
    check(r.item(0, 0) == exp["dataset_rows"] and close(r.item(0, 1), exp["dataset_total_weight"], 1e-9) and r.item(0, 2) == exp["pieces"], "polars: dataset rows, total weight, pieces")
if duckdb is not None:
    n, s, k = duckdb.sql(f"SELECT count(*), sum(weight), count(DISTINCT chunk) FROM read_parquet('{d}/**/*.parquet', hive_partitioning = true)").fetchall()[0]
    check(n == exp["dataset_rows"] and close(s, exp["dataset_total_weight"], 1e-9) and k == exp["pieces"], f"duckdb: dataset {n} rows, total weight {s!r}, {k} pieces")

# --- HepMC3, pyhepmc -------------------------------------------------------------------------------
hep = optional("pyhepmc")
if hep is not None:
    h = exp["hepmc3"]
    ref = pq.read_table(exp["hepmc3_parquet"])  # the same run written as Parquet
    cols = {c: ref.column(c).to_pylist() for c in ref.column_names if c != "channel"}
    particles = [p for p in ("nu_in", "N", "recoil", "nu_out", "e_minus", "e_plus", "e_out") if f"{p}_E" in cols]
    pdg_of = {"N": 5914, "e_minus": 11, "e_plus": -11, "e_out": 11}
    n_ev = n_part = 0
    sw = 0.0
    worst = 0.0
    status_ok = vertex_ok = units_ok = True
    with hep.open(h) as fh:
        for i, ev in enumerate(fh):
            n_ev += 1
            n_part += len(ev.particles)
            sw += ev.weights[0]
            units_ok &= ev.momentum_unit == hep.Units.GEV and ev.length_unit == hep.Units.CM
            # match the file's particles to the Parquet row, in the documented order
            order = ["nu_in", "target"] + [p for p in particles if p != "nu_in"]
            for p, name in zip(ev.particles, order):
                if name == "target":
                    continue
                m = p.momentum
                for got, c in ((m.px, "px"), (m.py, "py"), (m.pz, "pz"), (m.e, "E")):
                    want = cols[f"{name}_{c}"][i]
                    worst = max(worst, abs(got - want) / max(abs(want), 1e-300) if want != 0 else abs(got))
                want_status = 4 if name == "nu_in" else (2 if name == "N" else 1)
                status_ok &= p.status == want_status
                if name in pdg_of:
                    status_ok &= p.pid == pdg_of[name]
            v = ev.vertices[0].position
            vertex_ok &= (v.x, v.y, v.z) == (cols["x_scatter"][i], cols["y_scatter"][i], cols["z_scatter"][i])
            if "x_decay" in cols:
                v = ev.vertices[1].position
                vertex_ok &= (v.x, v.y, v.z) == (cols["x_decay"][i], cols["y_decay"][i], cols["z_decay"][i])
            if i == 0:
                ri = ev.run_info
                check(ri is not None and list(ri.weight_names) == ["CV"], "pyhepmc: run info with weight name CV")
                rec = json.loads(str(ri.attributes["nuportal"]))
                check(rec["seed"] == exp["seed"] and "[process]" in rec["config_toml"], "pyhepmc: run record `nuportal` (JSON with the config) read back")
                summ = json.loads(str(ri.attributes["nuportal.summary"]).strip())
                check(close(summ["predicted_events"], exp["hepmc3_total_weight"], 1e-12), "pyhepmc: nuportal.summary predicted_events")
    print(f"pyhepmc read {n_ev} events, {n_part} particles, sum of weights {sw!r}; largest relative four-momentum difference {worst:.3e}")
    check(n_ev == exp["hepmc3_events"], f"pyhepmc: {n_ev} events == {exp['hepmc3_events']}")
    check(n_part == exp["hepmc3_particles"], f"pyhepmc: {n_part} particles == {exp['hepmc3_particles']}")
    check(close(sw, exp["hepmc3_total_weight"], 1e-12), f"pyhepmc: sum of weights {sw!r} == {exp['hepmc3_total_weight']!r}")
    check(worst == 0.0, "pyhepmc: four-momenta equal the Parquet columns exactly")
    check(status_ok, "pyhepmc: status codes 4 (in), 2 (N), 1 (final) and PDG codes")
    check(vertex_ok, "pyhepmc: vertex positions equal x/y/z_scatter and x/y/z_decay")
    check(units_ok, "pyhepmc: units GEV CM")

print(f"{len(failures)} failed" if failures else "all reader checks passed")
sys.exit(1 if failures else 0)
