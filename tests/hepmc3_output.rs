//! The HepMC3 file as a reader sees it: parsed back here line by line (the Asciiv3 grammar of
//! HepMC3's `ReaderAscii`) and compared with the same run's columns. `tests/python_readers.rs`
//! reads the same kind of file with `pyhepmc`.

use nuportal::config::Config;
use nuportal::output::hepmc3::HepMC3Sink;
use nuportal::output::memory::MemorySink;

const NUE: &str = "[process]\nkind = \"nu_e_elastic\"\n[experiment]\nname = \"minerva_le_fhc\"\n[generation]\nevents = 5000\nchunk_size = 1024\nseed = 11\n";

/// One parsed event.
#[derive(Debug, Default)]
struct Ev {
    number: i64,
    n_vtx: usize,
    n_part: usize,
    weight: f64,
    proc_id: i64,
    w_osc: Option<f64>,
    /// (id, production vertex, pdg, [px, py, pz, e], m, status)
    particles: Vec<(usize, i64, i64, [f64; 4], f64, i32)>,
    /// (id, incoming particle ids, [x, y, z, ct])
    vertices: Vec<(i64, Vec<usize>, [f64; 4])>,
}

/// Parsed file: header lines before the first event, events, whether the footer closed it.
struct File {
    header: Vec<String>,
    events: Vec<Ev>,
    closed: bool,
}

fn num(s: &str) -> f64 {
    s.parse().unwrap_or_else(|_| panic!("not a number: {s:?}"))
}

fn parse(text: &str) -> File {
    let mut lines = text.lines();
    assert!(lines.next().unwrap().starts_with("HepMC::Version 3."));
    assert_eq!(lines.next().unwrap(), "HepMC::Asciiv3-START_EVENT_LISTING");
    let mut f = File {
        header: vec![],
        events: vec![],
        closed: false,
    };
    for line in lines {
        let t: Vec<&str> = line.split(' ').collect();
        match t[0] {
            "" => {}
            "HepMC::Asciiv3-END_EVENT_LISTING" => f.closed = true,
            "E" => f.events.push(Ev {
                number: t[1].parse().unwrap(),
                n_vtx: t[2].parse().unwrap(),
                n_part: t[3].parse().unwrap(),
                ..Ev::default()
            }),
            "U" => assert_eq!(line, "U GEV CM"),
            "W" | "A" | "T" if f.events.is_empty() => f.header.push(line.to_string()),
            "W" => f.events.last_mut().unwrap().weight = num(t[1]),
            "A" => match (t[1], t[2]) {
                ("0", "ProcID") => f.events.last_mut().unwrap().proc_id = t[3].parse().unwrap(),
                ("0", "w_osc") => f.events.last_mut().unwrap().w_osc = Some(num(t[3])),
                _ => panic!("unexpected event attribute: {line}"),
            },
            "P" => {
                assert_eq!(t.len(), 10, "{line}");
                f.events.last_mut().unwrap().particles.push((
                    t[1].parse().unwrap(),
                    t[2].parse().unwrap(),
                    t[3].parse().unwrap(),
                    [num(t[4]), num(t[5]), num(t[6]), num(t[7])],
                    num(t[8]),
                    t[9].parse().unwrap(),
                ));
            }
            "V" => {
                // V id status [in,...] @ x y z ct
                assert_eq!(t[4], "@", "{line}");
                let ins = t[3]
                    .trim_matches(|c| c == '[' || c == ']')
                    .split(',')
                    .map(|s| s.parse().unwrap())
                    .collect();
                f.events.last_mut().unwrap().vertices.push((
                    t[1].parse().unwrap(),
                    ins,
                    [num(t[5]), num(t[6]), num(t[7]), num(t[8])],
                ));
            }
            other => panic!("unexpected line type {other:?}: {line}"),
        }
    }
    f
}

/// Generate `cfg` into a HepMC3 file and into memory (same run).
fn both(cfg: &str, dir: &std::path::Path) -> (File, MemorySink, nuportal::run::Report) {
    let path = dir.join("sample.hepmc3");
    let prepared = nuportal::run::prepare(Config::parse(cfg, "test", &[]).unwrap()).unwrap();
    let mut sink = HepMC3Sink::new(&path, false);
    let report = prepared.generate(&mut sink, |_| {}, || false).unwrap();
    let mut mem = MemorySink::default();
    prepared.generate(&mut mem, |_| {}, || false).unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    assert_eq!(
        std::fs::read_dir(dir).unwrap().count(),
        1,
        "no temporary file left"
    );
    (parse(&text), mem, report)
}

fn col(m: &MemorySink, name: &str) -> Vec<f64> {
    m.f64_column(name).unwrap()
}

#[test]
fn nu_e_round_trip_counts_weights_momenta_vertices() {
    let dir = tempfile::tempdir().unwrap();
    let (f, mem, report) = both(NUE, dir.path());
    assert!(f.closed, "END_EVENT_LISTING missing");
    assert!(f.header.iter().any(|h| h == "W CV"));
    assert!(f.header.iter().any(|h| h.starts_with("T nuportal\\|")));
    let pot = f
        .header
        .iter()
        .find_map(|h| h.strip_prefix("A NuHepMC.Exposure.POT "))
        .unwrap();
    assert_eq!(num(pot), 3.43e20);
    // the run summary, written at the end into its reserved header line
    let summary = f
        .header
        .iter()
        .find_map(|h| h.strip_prefix("A nuportal.summary "))
        .unwrap();
    let v: serde_json::Value = serde_json::from_str(summary.trim()).unwrap();
    assert_eq!(
        v["predicted_events"].as_f64().unwrap(),
        report.summary.predicted_total
    );
    assert_eq!(f.events.len(), 5000);
    let w = col(&mem, "weight");
    let sw: f64 = f.events.iter().map(|e| e.weight).sum();
    assert!((sw / report.summary.predicted_total - 1.0).abs() < 1e-12);
    let cols: Vec<Vec<f64>> = [
        "nu_in_px",
        "nu_in_py",
        "nu_in_pz",
        "nu_in_E",
        "nu_out_px",
        "nu_out_py",
        "nu_out_pz",
        "nu_out_E",
        "e_out_px",
        "e_out_py",
        "e_out_pz",
        "e_out_E",
        "x_scatter",
        "y_scatter",
        "z_scatter",
    ]
    .iter()
    .map(|n| col(&mem, n))
    .collect();
    for (i, ev) in f.events.iter().enumerate() {
        assert_eq!(ev.number, i64::try_from(i).unwrap());
        assert_eq!((ev.n_vtx, ev.n_part), (1, 4));
        assert_eq!(ev.particles.len(), 4);
        assert_eq!(ev.weight, w[i], "weights round-trip exactly");
        // nu_in and the electron at rest in (status 4), nu_out and e_out out (status 1)
        let p = &ev.particles;
        assert_eq!((p[0].1, p[0].5), (0, 4));
        assert_eq!((p[1].1, p[1].2, p[1].5), (0, 11, 4));
        assert_eq!((p[2].1, p[2].5), (-1, 1));
        assert_eq!((p[3].1, p[3].2, p[3].5), (-1, 11, 1));
        assert_eq!(p[0].2, p[2].2, "outgoing neutrino has the incoming flavour");
        for (slot, k) in [(0usize, 0usize), (2, 4), (3, 8)] {
            for c in 0..4 {
                assert_eq!(
                    p[slot].3[c],
                    cols[k + c][i],
                    "four-momenta round-trip exactly"
                );
            }
        }
        let (id, ins, pos) = &ev.vertices[0];
        assert_eq!((*id, ins.as_slice()), (-1, &[1usize, 2][..]));
        assert_eq!(
            [pos[0], pos[1], pos[2]],
            [cols[12][i], cols[13][i], cols[14][i]]
        );
        // energy-momentum conservation at the vertex
        let m_e = nuportal::units::M_E;
        let e_in = p[0].3[3] + m_e;
        let e_out = p[2].3[3] + p[3].3[3];
        assert!((e_in - e_out).abs() < 1e-9 * e_in, "event {i}");
        assert!((p[3].4 - m_e).abs() < 1e-6, "electron mass {}", p[3].4);
    }
}

#[test]
fn upscattering_has_scatter_and_decay_vertices_with_conservation() {
    let cfg = nuportal::data::DEFAULT_CONFIG.replace("events = 1000000", "events = 3000");
    let dir = tempfile::tempdir().unwrap();
    let (f, mem, _) = both(&cfg, dir.path());
    assert_eq!(f.events.len(), 3000);
    let x = col(&mem, "x_decay");
    let z = col(&mem, "z_decay");
    let zs = col(&mem, "z_scatter");
    let n_e = col(&mem, "N_E");
    for (i, ev) in f.events.iter().enumerate() {
        assert_eq!((ev.n_vtx, ev.n_part), (2, 7));
        let p = &ev.particles;
        let status: Vec<i32> = p.iter().map(|q| q.5).collect();
        assert_eq!(status, vec![4, 4, 2, 1, 1, 1, 1]);
        let pdg: Vec<i64> = p.iter().map(|q| q.2).collect();
        assert_eq!(&pdg[2..], &[5914, pdg[1], pdg[0], 11, -11]);
        assert_eq!(p[2].3[3], n_e[i]);
        assert_eq!(ev.vertices[1].1, vec![3]);
        assert_eq!(ev.vertices[1].2[0], x[i]);
        assert_eq!(ev.vertices[1].2[2], z[i]);
        // c t of the decay = flight distance / beta >= distance
        let d = ev.vertices[1].2;
        let s = ev.vertices[0].2;
        let dist = ((d[0] - s[0]).powi(2) + (d[1] - s[1]).powi(2) + (d[2] - s[2]).powi(2)).sqrt();
        assert!(d[3] >= dist * (1.0 - 1e-12) && s[3] == 0.0);
        assert_eq!(s[2], zs[i]);
        // four-momentum conservation at both vertices
        for c in 0..4 {
            let scale = p[1].3[3];
            let v1 = p[0].3[c] + p[1].3[c] - p[2].3[c] - p[3].3[c];
            assert!(
                v1.abs() < 1e-9 * scale,
                "event {i} scatter component {c}: {v1}"
            );
            let v2 = p[2].3[c] - p[4].3[c] - p[5].3[c] - p[6].3[c];
            assert!(
                v2.abs() < 1e-9 * p[2].3[3],
                "event {i} decay component {c}: {v2}"
            );
        }
        assert!(ev.proc_id >= 0);
    }
}

#[test]
fn oscillation_factor_is_an_event_attribute() {
    let cfg = format!(
        "{NUE}[oscillation]\nmodel = \"3nu\"\ndm21 = 7.5e-5\ndm31 = 2.4e-3\ns12sq = 0.3\ns13sq = 0.023\ns23sq = 0.6\ndelta_cp = 1.2\nbaseline_km = 735.0\ndensity_gcc = 2.8\n"
    );
    let dir = tempfile::tempdir().unwrap();
    let (f, mem, _) = both(&cfg, dir.path());
    let w_osc = col(&mem, "w_osc");
    assert!(w_osc.iter().any(|p| *p < 0.99), "oscillation has an effect");
    for (ev, p) in f.events.iter().zip(&w_osc) {
        assert_eq!(ev.w_osc, Some(*p));
    }
}
