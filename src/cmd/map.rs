//! `barometer map`: a choropleth of Flanders from a GeoJSON with municipality boundaries.

use anyhow::{Context, Result};
use barometer::barometer::score;
use barometer::chart;
use barometer::definition::Definition;
use barometer::error::usage;
use barometer::geo::Geography;
use barometer::lang::Lang;
use barometer::map::classify::Method;
use barometer::map::geometry::{self, Crs};
use barometer::map::model::Options;
use barometer::map::{Metric, build, joined, svg};
use barometer::run_record::RunRecord;
use barometer::store::{Store, sha256_hex};
use std::path::PathBuf;

/// Where official boundaries come from, for the message without --geometry.
pub const WHERE_TO_GET: &str = "\
barometer map needs municipality boundaries: pass a GeoJSON file with --geometry FILE.
Official boundaries:
  - Statbel (statbel.fgov.be, open data \"Statistische sectoren\" / \"Administratieve eenheden\"):
    municipalities with their REFNIS code (property CD_MUNTY_REFNIS or similar);
  - NGI / IGN (www.ngi.be, \"AdminVector\" / \"Administratieve grenzen\"), in Belgian Lambert 72
    or ETRS89 / WGS84, keyed by REFNIS (AdMuKey).
Convert shapefiles or GeoPackages to GeoJSON, e.g.
  ogr2ogr -f GeoJSON -t_srs EPSG:4326 gemeenten.geojson Apn_AdMu.shp
then:
  barometer map --year 2023 --geometry gemeenten.geojson --out kaart.svg
The key property (nis, NIS5, niscode, AdMuKey, ...) and the coordinate system (WGS84 or
Lambert 72) are detected; name them with --key and --crs otherwise.";

/// Arguments of `map`.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Examples:
  barometer map --year 2023 --geometry gemeenten.geojson --out kaart.svg
  barometer map --year 2023 --geometry gemeenten.geojson --out kaart.png
  barometer map --year 2023 --geometry gemeenten.geojson --metric kansarmoede-index --classes jenks:5 --out kai.html
  barometer map --year 2018 --geometry gemeenten-2018-lambert72.geojson --key NIS5 --crs lambert72 --out kaart.svg --geojson-out kaart.geojson")]
pub struct Args {
    /// The year to map.
    #[arg(long)]
    pub year: i32,
    /// Municipality boundaries (GeoJSON FeatureCollection keyed by REFNIS code).
    #[arg(long)]
    pub geometry: Option<PathBuf>,
    /// What to map: score (classes 0-7), rank, or a scored indicator's id.
    #[arg(long, default_value = "score")]
    pub metric: String,
    /// Classes for continuous metrics: quantile[:K], jenks[:K], equal[:K], fixed:A,B,C.
    #[arg(long, default_value = "quantile:5")]
    pub classes: String,
    /// The property that holds the REFNIS code (detected when omitted).
    #[arg(long)]
    pub key: Option<String>,
    /// Coordinate system of the geometry: wgs84 or lambert72 (detected when omitted).
    #[arg(long)]
    pub crs: Option<String>,
    /// The map: .svg, .png (300 dpi) or .html (SVG with tooltips).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Also write the geometry joined with the results as GeoJSON (for QGIS).
    #[arg(long)]
    pub geojson_out: Option<PathBuf>,
    /// The store (Parquet); the bundled demo store when omitted.
    #[arg(long)]
    pub store: Option<PathBuf>,
    /// A barometer definition (TOML); the bundled kinderarmoedebarometer when omitted.
    #[arg(long)]
    pub barometer: Option<PathBuf>,
    /// Language of title, legend and tooltips.
    #[arg(long, value_enum, default_value_t = Lang::Nl)]
    pub lang: Lang,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Svg,
    Png,
    Html,
}

/// Run `map`.
pub fn run(args: &Args) -> Result<()> {
    let Some(geometry_path) = &args.geometry else {
        return Err(usage(WHERE_TO_GET));
    };
    if args.out.is_none() && args.geojson_out.is_none() {
        return Err(usage(
            "give --out map.svg|map.png|map.html (and/or --geojson-out FILE.geojson)",
        ));
    }
    let kind = match &args.out {
        None => None,
        Some(p) => Some(
            match p
                .extension()
                .map(|e| e.to_string_lossy().to_lowercase())
                .as_deref()
            {
                Some("svg") => Kind::Svg,
                Some("png") => Kind::Png,
                Some("html" | "htm") => Kind::Html,
                _ => {
                    return Err(usage(format!(
                        "--out {}: use a .svg, .png or .html file",
                        p.display()
                    )));
                }
            },
        ),
    };
    let method = Method::parse(&args.classes).map_err(usage)?;
    let crs = args
        .crs
        .as_deref()
        .map(Crs::parse)
        .transpose()
        .map_err(usage)?;
    let def = Definition::load(args.barometer.as_deref())?;
    let metric = Metric::parse(&args.metric, &def).map_err(usage)?;
    if !geometry_path.exists() {
        return Err(usage(format!(
            "--geometry {} does not exist",
            geometry_path.display()
        )));
    }
    let bytes = std::fs::read(geometry_path)
        .with_context(|| format!("cannot read {}", geometry_path.display()))?;
    let origin = geometry_path.display().to_string();
    let layer = geometry::parse(&bytes, &origin, args.key.as_deref(), crs)?;
    let store = Store::load(args.store.as_deref())?;
    let geo = Geography::bundled();
    let board = score(&store, &def, geo, args.year)?;
    let record = RunRecord::new(
        "map",
        &[
            ("year", args.year.to_string()),
            ("metric", args.metric.clone()),
            ("classes", args.classes.clone()),
            (
                "geometry",
                format!("{origin} sha256 {}", sha256_hex(&bytes)),
            ),
        ],
        &def,
        &store,
    );
    let lang = args.lang;
    let synthetic = if store.meta.synthetic {
        lang.pick(" SYNTHETISCHE DEMODATA.", " SYNTHETIC DEMO DATA.")
    } else {
        ""
    };
    let file_name = geometry_path
        .file_name()
        .map_or(origin.clone(), |n| n.to_string_lossy().into_owned());
    let source = vec![
        format!(
            "{}: {}.{synthetic}",
            lang.pick("Bron", "Source"),
            def.source
        ),
        format!(
            "Store {} (sha256 {}). {}: {file_name} ({}). barometer {} {}",
            store.origin,
            &store.sha256[..12],
            lang.pick("Grenzen", "Boundaries"),
            layer.crs.name(),
            record.version,
            record.generated_at
        ),
    ];
    let model = build(
        &layer,
        &board,
        &def,
        geo,
        &Options {
            metric,
            method,
            lang,
            source,
        },
    )?;
    if let (Some(out), Some(kind)) = (&args.out, kind) {
        match kind {
            Kind::Svg => barometer::atomic::write_bytes(out, svg::svg(&model).as_bytes())?,
            Kind::Html => barometer::atomic::write_bytes(
                out,
                svg::html(&model, lang.pick("nl", "en")).as_bytes(),
            )?,
            Kind::Png => barometer::atomic::write_bytes(
                out,
                &chart::png(&barometer::map::png::MapChart(&model))?,
            )?,
        }
        eprintln!(
            "{} {} ({} {}, {})",
            lang.pick("kaart geschreven:", "map written:"),
            out.display(),
            model.shapes.len(),
            lang.pick("gemeenten", "municipalities"),
            layer.crs.name()
        );
    }
    if let Some(out) = &args.geojson_out {
        let doc = joined::geojson(&layer, &model, &board, &def, &bytes);
        barometer::atomic::write_with(out, |w| Ok(serde_json::to_writer(w, &doc)?))?;
        eprintln!(
            "{} {}",
            lang.pick("GeoJSON geschreven:", "GeoJSON written:"),
            out.display()
        );
    }
    for line in model.report.lines(lang) {
        eprintln!("{line}");
    }
    Ok(())
}
