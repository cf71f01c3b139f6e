#!/usr/bin/env python3
"""Plots snr-sweep.sh's table (sweep.csv: snr,method,within10,median) as an SVG of two panels against SNR (log axis)."""
import csv, math, sys

rows = list(csv.DictReader(open(sys.argv[1])))
out = sys.argv[2]
methods = ["rid", "vdm", "mfvdm"]
colours = {"rid": "#1f77b4", "vdm": "#ff7f0e", "mfvdm": "#2ca02c"}
snrs = sorted({float(r["snr"]) for r in rows})
lo, hi = math.log10(min(snrs)), math.log10(max(snrs))
W, H, M = 420, 300, 55
panels = [("within10", "neighbours within 10° (%)", 0, 100, 100), ("median", "median angle (°)", 0, None, 1)]
parts = []
for p, (key, label, ymin, ymax, scale) in enumerate(panels):
    values = [float(r[key]) * scale for r in rows]
    top = ymax if ymax is not None else math.ceil(max(values) / 5) * 5
    x0 = p * (W + 20)
    px = lambda s: x0 + M + (math.log10(s) - lo) / max(hi - lo, 1e-9) * (W - M - 15)
    py = lambda v: H - M + 15 - (v - ymin) / (top - ymin) * (H - M - 10)
    parts.append(f'<rect x="{x0 + M}" y="20" width="{W - M - 15}" height="{H - M - 5}" fill="none" stroke="#888"/>')
    for s in snrs:
        parts.append(f'<text x="{px(s):.1f}" y="{H - M + 32}" text-anchor="middle" font-size="11">1/{round(1 / s)}</text>')
    for i in range(6):
        v = ymin + i * (top - ymin) / 5
        parts.append(f'<text x="{x0 + M - 6}" y="{py(v) + 4:.1f}" text-anchor="end" font-size="11">{v:g}</text>')
    parts.append(f'<text x="{x0 + (W + M) / 2:.0f}" y="{H - 2}" text-anchor="middle" font-size="12">SNR</text>')
    parts.append(f'<text x="{x0 + (W + M) / 2:.0f}" y="14" text-anchor="middle" font-size="12">{label}</text>')
    for m in methods:
        pts = sorted((float(r["snr"]), float(r[key]) * scale) for r in rows if r["method"] == m)
        path = " ".join(f"{px(s):.1f},{py(v):.1f}" for s, v in pts)
        parts.append(f'<polyline points="{path}" fill="none" stroke="{colours[m]}" stroke-width="2"/>')
        parts += [f'<circle cx="{px(s):.1f}" cy="{py(v):.1f}" r="3" fill="{colours[m]}"/>' for s, v in pts]
for i, m in enumerate(methods):
    parts.append(f'<text x="{2 * W - 60}" y="{40 + 16 * i}" font-size="12" fill="{colours[m]}">{m.upper()}</text>')
open(out, "w").write(f'<svg xmlns="http://www.w3.org/2000/svg" width="{2 * W + 20}" height="{H + 10}" font-family="sans-serif">' + "".join(parts) + "</svg>\n")
