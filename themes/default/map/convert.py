#!/usr/bin/env python3
"""Convert world-atlas's TopoJSON countries into dossier's compact world.json base map.

Usage: python3 convert.py countries-50m.json world.json [--tolerance 0.08] [--min-area 0.03]

  countries-50m.json  from the npm package world-atlas@2.0.2 (`npm pack world-atlas@2.0.2`,
                      then `tar xzf world-atlas-2.0.2.tgz`: it is package/countries-50m.json)
  world.json          written: {"countries": [{"id": 643, "name": "Russia",
                      "polygons": [[[lon, lat], ...] outer ring, holes...], ...]}, ...]}

Standard library only, no network, deterministic (same input, same bytes).

What it does, in order:
1. Decodes the topology's shared arcs (delta-encoded, quantized) to degrees.
2. Simplifies each shared arc once with Douglas-Peucker (tolerance in degrees of latitude,
   longitude scaled by cos(latitude) so the tolerance is the same distance everywhere), so
   neighbouring countries keep exactly the same border and no gaps or slivers appear. Arc
   ends and points on the antimeridian are kept.
3. Rounds to 0.01 degree and drops repeated points.
4. Assembles each country's rings and makes them antimeridian-safe: a ring never jumps by
   more than 180 degrees between consecutive points. Rings that cross 180 (Russia's
   Chukotka, Wrangel Island, an islet of Fiji) continue past it (Chukotka reaches 190.4), and
   the pieces of Fiji that Natural Earth cut at 180 are joined back into one ring each, so
   no seam is drawn. Antarctica's ring runs round the South Pole from -180 to 180 (its
   first and last points are the same place); world-atlas's degenerate polar ring is dropped.
   A renderer must therefore project on the sphere (as map.rs does), not treat longitude as
   a plane coordinate.
5. Drops rings smaller than --min-area square degrees (scaled by cos(latitude)) that cannot
   show at the scales dossier draws, but always keeps a country's largest ring, so every
   country of world-atlas is present.
"""

import argparse
import json
import math
import sys


def decode_arcs(topo):
    sx, sy = topo["transform"]["scale"]
    tx, ty = topo["transform"]["translate"]
    arcs = []
    for arc in topo["arcs"]:
        x = y = 0
        pts = []
        for dx, dy in arc:
            x += dx
            y += dy
            pts.append((x * sx + tx, y * sy + ty))
        arcs.append(pts)
    return arcs


def on_antimeridian(p):
    return abs(abs(p[0]) - 180.0) < 1e-9


def seg_dist(p, a, b):
    """Distance of p from segment ab, in degrees of latitude (local equirectangular)."""
    k = math.cos(math.radians((a[1] + b[1]) / 2))
    ax, ay = a[0] * k, a[1]
    bx, by = b[0] * k, b[1]
    px, py = p[0] * k, p[1]
    dx, dy = bx - ax, by - ay
    d2 = dx * dx + dy * dy
    if d2 == 0:
        return math.hypot(px - ax, py - ay)
    t = max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / d2))
    return math.hypot(px - (ax + t * dx), py - (ay + t * dy))


def douglas_peucker(pts, tol):
    """Indices kept: both ends, points on 180 degrees, and DP's choice in between."""
    n = len(pts)
    keep = [False] * n
    keep[0] = keep[-1] = True
    for i, p in enumerate(pts):
        if on_antimeridian(p):
            keep[i] = True
    # Split at the forced points, then run an iterative DP on each span.
    forced = [i for i in range(n) if keep[i]]
    stack = list(zip(forced, forced[1:]))
    while stack:
        i, j = stack.pop()
        if j - i < 2:
            continue
        best, at = -1.0, -1
        for k in range(i + 1, j):
            d = seg_dist(pts[k], pts[i], pts[j])
            if d > best:
                best, at = d, k
        if best > tol:
            keep[at] = True
            stack.append((i, at))
            stack.append((at, j))
    return [p for p, k in zip(pts, keep) if k]


def simplify_arc(pts, tol):
    if len(pts) < 3:
        return pts
    if pts[0] == pts[-1]:
        # A closed arc (an island drawn as one arc): anchor at the start and at the point
        # farthest from it, so DP has a real chord to measure against.
        far = max(range(len(pts)), key=lambda k: seg_dist(pts[k], pts[0], pts[0]))
        a = douglas_peucker(pts[: far + 1], tol)
        b = douglas_peucker(pts[far:], tol)
        return a + b[1:]
    return douglas_peucker(pts, tol)


def r2(v):
    # 0.01 degree is ~1.1 km, below a pixel at every scale dossier draws.
    return round(v, 2) + 0.0  # + 0.0 turns -0.0 into 0.0


def round_pts(pts):
    out = []
    for x, y in pts:
        q = (r2(x), r2(y))
        if not out or out[-1] != q:
            out.append(q)
    return out


def ring_from_arcs(refs, arcs):
    out = []
    for i in refs:
        a = arcs[i] if i >= 0 else arcs[~i][::-1]
        out.extend(a if not out else a[1:])
    # Rounding may merge the join points of consecutive arcs.
    dedup = []
    for p in out:
        if not dedup or dedup[-1] != p:
            dedup.append(p)
    return dedup


def unwrap(ring):
    """Shift longitudes so consecutive points never differ by more than 180 degrees."""
    out = [ring[0]]
    shift = 0.0
    jumped = False
    for (x0, _), (x1, y1) in zip(ring, ring[1:]):
        d = x1 - x0
        if d > 180:
            shift -= 360
            jumped = True
        elif d < -180:
            shift += 360
            jumped = True
        out.append((r2(x1 + shift), y1))
    # Keep the ring's western end in [-180, 180).
    lo = min(p[0] for p in out)
    k = 0.0
    while lo + k < -180:
        k += 360
    while lo + k >= 180:
        k -= 360
    return [(r2(x + k), y) for x, y in out], jumped


def area(ring):
    """Area in square degrees with longitude scaled by cos(latitude); positive or negative."""
    s = 0.0
    for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1]):
        k = math.cos(math.radians((y0 + y1) / 2))
        s += (x0 * k) * y1 - (x1 * k) * y0
    return s / 2


def line_run(ring, x):
    """If the closed ring has exactly one run of consecutive points on longitude x, the ring
    rotated so that run comes last, else None."""
    core = ring[:-1] if ring[0] == ring[-1] else ring[:]
    n = len(core)
    on = [abs(p[0] - x) < 1e-9 for p in core]
    if sum(on) < 2 or all(on):
        return None
    starts = [i for i in range(n) if on[i] and not on[i - 1]]
    if len(starts) != 1:
        return None
    s = starts[0]
    e = s
    while on[(e + 1) % n]:
        e = (e + 1) % n
    # Rotate so the ring starts right after the run and ends with it.
    start = (e + 1) % n
    rot = core[start:] + core[:start]
    run_len = sum(on)
    return rot[: n - run_len], rot[n - run_len :]


def join_at_antimeridian(rings):
    """Join outer rings that Natural Earth cut at 180 degrees (after the western piece was
    shifted east by 360), so no seam is stroked. Returns the new list and how many joins."""
    joins = 0
    changed = True
    while changed:
        changed = False
        for i in range(len(rings)):
            a = line_run(rings[i], 180.0)
            if a is None:
                continue
            for j in range(i + 1, len(rings)):
                b = line_run(rings[j], 180.0)
                if b is None:
                    continue
                a_off, a_on = a
                b_off, b_on = b
                lo_a, hi_a = min(p[1] for p in a_on), max(p[1] for p in a_on)
                lo_b, hi_b = min(p[1] for p in b_on), max(p[1] for p in b_on)
                if min(hi_a, hi_b) - max(lo_a, lo_b) <= 0:
                    continue
                # Each ring is its off-line part followed by its run on the line; the union
                # walks A's off-line part, then B's, joined along the line.
                merged = a_off + b_off
                merged.append(merged[0])
                dedup = []
                for p in merged:
                    if not dedup or dedup[-1] != p:
                        dedup.append(p)
                rings[i] = dedup
                del rings[j]
                joins += 1
                changed = True
                break
            if changed:
                break
    return rings, joins


def num(v):
    """0.01-degree values in their shortest form: 44 for 44.0, 44.6 for 44.60."""
    s = f"{v:.2f}".rstrip("0").rstrip(".")
    return "0" if s == "-0" else s


def open_ring(r):
    """Rings are written without the closing point: the reader closes them."""
    return r[:-1] if len(r) > 1 and r[0] == r[-1] else r


def dump(countries):
    """One country a line, so a diff of a regenerated file shows which countries changed."""
    lines = []
    for c in countries:
        polys = ",".join(
            "[" + ",".join("[" + ",".join(f"[{num(x)},{num(y)}]" for x, y in open_ring(r)) + "]" for r in poly) + "]"
            for poly in c["polygons"]
        )
        cid = "null" if c["id"] is None else str(c["id"])
        lines.append(f'{{"id":{cid},"name":{json.dumps(c["name"], ensure_ascii=False)},"polygons":[{polys}]}}')
    return '{"countries":[\n' + ",\n".join(lines) + "\n]}"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("input")
    ap.add_argument("output")
    ap.add_argument("--tolerance", type=float, default=0.08,
                    help="Douglas-Peucker tolerance in degrees of latitude (default 0.08, ~8.9 km)")
    ap.add_argument("--polar-tolerance", type=float, default=0.25,
                    help="tolerance for arcs wholly south of 60 S (default 0.25)")
    ap.add_argument("--min-area", type=float, default=0.03,
                    help="drop rings below this area in square degrees, except a country's largest (default 0.03, ~370 km2 at the equator)")
    args = ap.parse_args()

    with open(args.input, encoding="utf-8") as f:
        topo = json.load(f)
    raw = decode_arcs(topo)
    # A small country's outline would vanish under the tolerance (Monaco is 0.02 degree
    # wide): the arcs of each country's largest ring get a tolerance of at most a sixth of
    # that ring's extent, so every country keeps a recognisable shape.
    tol = [args.tolerance] * len(raw)
    for g in topo["objects"]["countries"]["geometries"]:
        polys = [g["arcs"]] if g["type"] == "Polygon" else g.get("arcs", [])
        best = None
        for poly in polys:
            ring = ring_from_arcs(poly[0], raw)
            a = abs(area(ring))
            if best is None or a > best[0]:
                best = (a, poly[0], ring)
        if best is None:
            continue
        _, refs, ring = best
        k = math.cos(math.radians(sum(p[1] for p in ring) / len(ring)))
        ext = min(
            (max(p[0] for p in ring) - min(p[0] for p in ring)) * k,
            max(p[1] for p in ring) - min(p[1] for p in ring),
        )
        for i in refs:
            j = i if i >= 0 else ~i
            tol[j] = min(tol[j], max(ext / 6, 0.002))
    for j, a in enumerate(raw):
        if all(p[1] < -60 for p in a):
            # Only Antarctica lies south of 60 S, and no map of places people travel to
            # frames it: a coarser tolerance there saves 8 KB (3%).
            tol[j] = max(tol[j], args.polar_tolerance)
    arcs = [round_pts(simplify_arc(a, t)) for a, t in zip(raw, tol)]

    countries = []
    stats = {"points": 0, "rings": 0, "dropped": 0, "joins": 0, "crossing": 0}
    for g in topo["objects"]["countries"]["geometries"]:
        name = g["properties"]["name"]
        cid = int(g["id"]) if g.get("id") is not None else None
        if g["type"] == "Polygon":
            polys = [g["arcs"]]
        elif g["type"] == "MultiPolygon":
            polys = g["arcs"]
        else:
            continue
        out = []
        for poly in polys:
            rings = [ring_from_arcs(r, arcs) for r in poly]
            if name == "Antarctica" and len(rings) == 2 and all(p[1] < -89.9 for p in rings[0]):
                # world-atlas writes the continent as a tiny ring round the pole with the
                # coast as its "hole" (d3's spherical winding); keep the coast only.
                rings = rings[1:]
            fixed = []
            for r in rings:
                if len(r) < 4 and not (len(r) >= 3 and r[0] != r[-1]):
                    stats["dropped"] += 1
                    continue
                u, crossed = unwrap(r)
                stats["crossing"] += crossed
                fixed.append(u)
            if fixed:
                out.append(fixed)
        # Pieces cut at 180: shift the western piece east so it abuts its other half.
        outers = []
        for poly in out:
            o = poly[0]
            if any(abs(p[0] + 180) < 1e-9 for p in o) and max(p[0] for p in o) < 0:
                o = [(r2(x + 360), y) for x, y in o]
            outers.append([o] + poly[1:])
        if sum(1 for p in outers if any(abs(q[0] - 180) < 1e-9 for q in p[0])) >= 2:
            cut = [p for p in outers if len(p) == 1 and line_run(p[0], 180.0)]
            rest = [p for p in outers if not (len(p) == 1 and line_run(p[0], 180.0))]
            joined, n = join_at_antimeridian([p[0] for p in cut])
            stats["joins"] += n
            outers = rest + [[r] for r in joined]
        # Drop islets that cannot show, keeping the country's largest outer ring.
        if outers:
            biggest = max(range(len(outers)), key=lambda k: abs(area(outers[k][0])))
            kept = []
            for k, poly in enumerate(outers):
                if k != biggest and abs(area(poly[0])) < args.min_area:
                    stats["dropped"] += 1
                    continue
                holes = [h for h in poly[1:] if abs(area(h)) >= args.min_area]
                stats["dropped"] += len(poly) - 1 - len(holes)
                kept.append([poly[0]] + holes)
            outers = kept
        if not outers:
            print(f"warning: {name} has no ring left", file=sys.stderr)
            continue
        for poly in outers:
            for r in poly:
                stats["points"] += len(open_ring(r))
                stats["rings"] += 1
        countries.append({
            "id": cid,
            "name": name,
            "polygons": outers,
        })

    countries.sort(key=lambda c: (c["id"] is None, c["id"] or 0, c["name"]))
    text = dump(countries)
    with open(args.output, "w", encoding="utf-8") as f:
        f.write(text)
        f.write("\n")
    print(f"{args.output}: {len(countries)} countries, {stats['rings']} rings, "
          f"{stats['points']} points, {len(text.encode()) + 1} bytes; dropped {stats['dropped']} "
          f"rings, joined {stats['joins']} at 180, {stats['crossing']} rings cross 180",
          file=sys.stderr)


if __name__ == "__main__":
    main()
