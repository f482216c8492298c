#!/usr/bin/env node
// Builds cases/geodata/us-map.json, the portal's map of the United States, from the Census
// Bureau's 2017 cartographic boundaries as the npm package us-atlas redistributes them
// (public domain). Run from this folder: `npm ci && node build-map.mjs`.
//
// The output holds SVG path data (x right, y down) in one 975 × 700 drawing:
// - every state, DC and territory by USPS code, the lower 48 in an Albers projection with
//   Alaska and Hawaii as insets (d3.geoAlbersUsa), the five territories in a row of insets
//   below;
// - every county of California, Connecticut and Idaho by FIPS code, so the portal can draw
//   the consular districts that split those states along county lines. Which county belongs
//   to which district is the portal's data (the County table), not this file's.
// Nothing here is fetched at run time: the portal reads the committed file.

import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";
import { geoAlbersUsa, geoMercator, geoPath } from "d3-geo";
import { feature } from "topojson-client";
import { presimplify, quantile, simplify } from "topojson-simplify";

const require = createRequire(import.meta.url);
const here = dirname(fileURLToPath(import.meta.url));
const output = resolve(here, "../../cases/geodata/us-map.json");
const atlasVersion = require("us-atlas/package.json").version;
const topology = JSON.parse(readFileSync(require.resolve("us-atlas/counties-10m.json"), "utf8"));

// FIPS state code -> USPS code, for the 50 states, DC and the five inhabited territories.
const USPS = {
  "01": "AL", "02": "AK", "04": "AZ", "05": "AR", "06": "CA", "08": "CO", "09": "CT",
  "10": "DE", "11": "DC", "12": "FL", "13": "GA", "15": "HI", "16": "ID", "17": "IL",
  "18": "IN", "19": "IA", "20": "KS", "21": "KY", "22": "LA", "23": "ME", "24": "MD",
  "25": "MA", "26": "MI", "27": "MN", "28": "MS", "29": "MO", "30": "MT", "31": "NE",
  "32": "NV", "33": "NH", "34": "NJ", "35": "NM", "36": "NY", "37": "NC", "38": "ND",
  "39": "OH", "40": "OK", "41": "OR", "42": "PA", "44": "RI", "45": "SC", "46": "SD",
  "47": "TN", "48": "TX", "49": "UT", "50": "VT", "51": "VA", "53": "WA", "54": "WV",
  "55": "WI", "56": "WY", "60": "AS", "66": "GU", "69": "MP", "72": "PR", "78": "VI",
};
// States split between two consular districts along county lines.
const SPLIT = new Set(["CA", "CT", "ID"]);

// The drawing: geoAlbersUsa's own frame (975 × 610) and a row of territory insets below it.
const WIDTH = 975;
const MAIN_HEIGHT = 610;
const HEIGHT = 700;
const INSETS = [
  // Each inset: the territories in it and its frame [x, y, width, height].
  { codes: ["GU", "MP"], frame: [20, 622, 110, 72] },
  { codes: ["AS"], frame: [140, 622, 90, 72] },
  { codes: ["PR", "VI"], frame: [700, 622, 180, 72] },
];

// Simplify on the sphere, keeping enough detail for county lines at this size.
const simplified = simplify(presimplify(topology), quantile(presimplify(topology), 0.35));

const states = feature(simplified, simplified.objects.states).features;
const counties = feature(simplified, simplified.objects.counties).features;

const albers = geoAlbersUsa().scale(1300).translate([487.5, 305]);

// Path data rounded to one decimal place: a tenth of a pixel in a 975-pixel drawing.
function pathData(projection, geometry) {
  const d = geoPath(projection).digits(1)(geometry);
  return d || "";
}

function insetProjection(inset) {
  const [x, y, w, h] = inset.frame;
  const pad = 8;
  const members = states.filter((f) => inset.codes.includes(USPS[f.id]));
  return geoMercator().fitExtent(
    [
      [x + pad, y + pad + 10],
      [x + w - pad, y + h - pad],
    ],
    { type: "FeatureCollection", features: members },
  );
}

const insetOf = new Map();
for (const inset of INSETS) {
  const projection = insetProjection(inset);
  for (const code of inset.codes) insetOf.set(code, projection);
}

const out = {
  source:
    `U.S. Census Bureau cartographic boundaries, 2017 edition, from the npm package ` +
    `us-atlas ${atlasVersion} (public domain); built by tools/map/build-map.mjs.`,
  width: WIDTH,
  height: HEIGHT,
  mainHeight: MAIN_HEIGHT,
  insets: INSETS.map((inset) => ({ codes: inset.codes, frame: inset.frame })),
  states: {},
  // The centre of each state's drawing: where the portal puts a marker on a shape too small
  // to point at (DC, the territories).
  centroids: {},
  counties: {},
  // The county lines of the split states as separate polylines, by arc number: a district's
  // part of a state is outlined by the arcs only one of its counties uses.
  arcs: {},
};

for (const f of states.sort((a, b) => a.id.localeCompare(b.id))) {
  const code = USPS[f.id];
  if (!code) continue;
  const projection = insetOf.get(code) ?? albers;
  const d = pathData(projection, f);
  if (!d) throw new Error(`No geometry drawn for ${code}`);
  out.states[code] = d;
  out.centroids[code] = geoPath(projection)
    .centroid(f)
    .map((value) => Math.round(value * 10) / 10);
}
// Arc numbers of a TopoJSON geometry (a negative number ~i is arc i reversed).
function arcNumbers(geometry) {
  const flat = (value) => (Array.isArray(value) ? value.flatMap(flat) : [value]);
  return [...new Set(flat(geometry.arcs).map((i) => (i < 0 ? ~i : i)))].sort((a, b) => a - b);
}

// One arc (absolute longitude/latitude after simplify()) as an open SVG polyline.
function arcPath(index) {
  const points = simplified.arcs[index]
    .map(([lon, lat]) => albers([lon, lat]))
    .filter(Boolean)
    .map(([x, y]) => `${Math.round(x * 10) / 10},${Math.round(y * 10) / 10}`);
  return points.length > 1 ? `M${points.join("L")}` : "";
}

const countyGeometries = new Map(
  simplified.objects.counties.geometries.map((geometry) => [geometry.id, geometry]),
);
for (const f of counties.sort((a, b) => a.id.localeCompare(b.id))) {
  const code = USPS[f.id.slice(0, 2)];
  if (!SPLIT.has(code)) continue;
  const d = pathData(albers, f);
  if (!d) throw new Error(`No geometry drawn for county ${f.id}`);
  const arcs = arcNumbers(countyGeometries.get(f.id));
  for (const index of arcs) out.arcs[index] ??= arcPath(index);
  out.counties[f.id] = { state: code, name: f.properties.name, d, arcs };
}

const missing = Object.values(USPS).filter((code) => !(code in out.states));
if (missing.length) throw new Error(`States missing from the atlas: ${missing.join(", ")}`);

mkdirSync(dirname(output), { recursive: true });
writeFileSync(output, JSON.stringify(out) + "\n");
const size = JSON.stringify(out).length;
console.log(
  `Wrote ${output}: ${Object.keys(out.states).length} states and territories, ` +
    `${Object.keys(out.counties).length} counties, ${Math.round(size / 1024)} KiB.`,
);
