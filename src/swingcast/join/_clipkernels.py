"""The numba kernels of :mod:`swingcast.join.clip` (imported on first use: numba is slow to
import and compiles these once, then loads them from its on-disk cache)."""

from __future__ import annotations

import numba
import numpy as np

_jit = numba.njit(cache=True, nogil=True)


@_jit
def ring_bounds(x, y, ring_start, bounds):  # pragma: no cover - compiled
    for r in range(len(ring_start) - 1):
        a, b = ring_start[r], ring_start[r + 1]
        if b - a < 4:  # an empty ring (empty geometry): a box that meets nothing
            bounds[r, 0] = bounds[r, 1] = np.inf
            bounds[r, 2] = bounds[r, 3] = -np.inf
            continue
        bounds[r, 0] = x[a:b].min()
        bounds[r, 1] = y[a:b].min()
        bounds[r, 2] = x[a:b].max()
        bounds[r, 3] = y[a:b].max()

@_jit
def ring_convexity(x, y, ring_start, tol, out, ring_area):  # pragma: no cover - compiled
    for r in range(len(ring_start) - 1):
        a, b = ring_start[r], ring_start[r + 1] - 1  # last point repeats the first
        n = b - a
        if n < 3:  # empty
            ring_area[r] = 0.0
            out[r] = False
            continue
        x0, y0 = x[a], y[a]
        area2 = 0.0
        for k in range(n):
            k1 = a + (k + 1) % n
            area2 += (x[a + k] - x0) * (y[k1] - y0) - (x[k1] - x0) * (y[a + k] - y0)
        ring_area[r] = 0.5 * area2
        orient = 1.0 if area2 > 0 else -1.0
        ok = n >= 3 and area2 != 0.0
        # walk the edges, skipping zero-length ones, and check every turn
        px, py = 0.0, 0.0
        have = False
        fx, fy = 0.0, 0.0
        for k in range(n + 1):
            if not ok:
                break
            i0 = a + k % n
            i1 = a + (k + 1) % n
            ex, ey = x[i1] - x[i0], y[i1] - y[i0]
            length = np.sqrt(ex * ex + ey * ey)
            if length == 0.0:
                continue
            ex /= length
            ey /= length
            if not have:
                fx, fy = ex, ey
                have = True
            else:
                if orient * (px * ey - py * ex) < -tol:
                    ok = False
            px, py = ex, ey
        if ok and have and orient * (px * fy - py * fx) < -tol:
            ok = False
        out[r] = ok

@_jit
def clip_ring(x, y, a, b, cx, cy, c0, c1, ccw, bufx, bufy, tmpx, tmpy):  # pragma: no cover
    """|area| of ring x[a:b] (closed) clipped by the convex ring cx[c0:c1] (closed).

    -1 when the buffers are too small (the caller retries with larger ones)."""
    n = b - a - 1
    size = len(tmpx)
    ox, oy = cx[c0], cy[c0]  # local origin: precision of the cross products
    for k in range(n):
        bufx[k] = x[a + k] - ox
        bufy[k] = y[a + k] - oy
    xmin, ymin, xmax, ymax = bufx[:n].min(), bufy[:n].min(), bufx[:n].max(), bufy[:n].max()
    # the clip ring's box first (four axis-parallel half-planes, exact as the others, as
    # the box contains the convex ring): the subject shrinks to the part that matters
    # and most of the ring's own edges are then skipped by the box test below
    bx0, by0, bx1, by1 = cx[c0:c1].min() - ox, cy[c0:c1].min() - oy, cx[c0:c1].max() - ox, cy[c0:c1].max() - oy
    m = c1 - c0 - 1
    for e in range(-4, m):
        if e == -4:
            ax, ay, ex, ey = bx0, by0, 1.0, 0.0  # y >= by0
        elif e == -3:
            ax, ay, ex, ey = bx1, by0, 0.0, 1.0  # x <= bx1
        elif e == -2:
            ax, ay, ex, ey = bx1, by1, -1.0, 0.0  # y <= by1
        elif e == -1:
            ax, ay, ex, ey = bx0, by1, 0.0, -1.0  # x >= bx0
        else:
            if ccw:
                i0, i1 = c0 + e, c0 + e + 1
            else:
                i0, i1 = c1 - 1 - e, c1 - 2 - e
            ax, ay = cx[i0] - ox, cy[i0] - oy
            ex, ey = cx[i1] - ox - ax, cy[i1] - oy - ay
        if ex == 0.0 and ey == 0.0:
            continue
        # the subject's box wholly inside this half-plane: nothing to clip
        d1 = ex * (ymin - ay) - ey * (xmin - ax)
        d2 = ex * (ymin - ay) - ey * (xmax - ax)
        d3 = ex * (ymax - ay) - ey * (xmin - ax)
        d4 = ex * (ymax - ay) - ey * (xmax - ax)
        if d1 >= 0.0 and d2 >= 0.0 and d3 >= 0.0 and d4 >= 0.0:
            continue
        if d1 < 0.0 and d2 < 0.0 and d3 < 0.0 and d4 < 0.0:
            return 0.0
        out = 0
        px, py = bufx[n - 1], bufy[n - 1]
        dp = ex * (py - ay) - ey * (px - ax)
        for k in range(n):
            if out + 2 > size:
                return -1.0
            qx, qy = bufx[k], bufy[k]
            dq = ex * (qy - ay) - ey * (qx - ax)
            if dq >= 0.0:
                if dp < 0.0:
                    t = dp / (dp - dq)
                    tmpx[out] = px + t * (qx - px)
                    tmpy[out] = py + t * (qy - py)
                    out += 1
                tmpx[out] = qx
                tmpy[out] = qy
                out += 1
            elif dp >= 0.0:
                t = dp / (dp - dq)
                tmpx[out] = px + t * (qx - px)
                tmpy[out] = py + t * (qy - py)
                out += 1
            px, py, dp = qx, qy, dq
        if out < 3:
            return 0.0
        n = out
        bufx, tmpx = tmpx, bufx  # the output is the next pass's input
        bufy, tmpy = tmpy, bufy
        xmin, ymin, xmax, ymax = 1e300, 1e300, -1e300, -1e300
        for k in range(n):
            xmin = min(xmin, bufx[k])
            xmax = max(xmax, bufx[k])
            ymin = min(ymin, bufy[k])
            ymax = max(ymax, bufy[k])
    area2 = 0.0
    for k in range(n):
        k1 = k + 1 if k + 1 < n else 0
        area2 += bufx[k] * bufy[k1] - bufx[k1] * bufy[k]
    return abs(area2) * 0.5

@numba.njit(cache=True, nogil=True, parallel=True)
def pair_areas(sx, sy, s_ring, s_geom, s_sign, s_bounds, cx, cy, c_ring, c_geom,
                c_bounds, c_area, si, ci, out):  # pragma: no cover - compiled
    for k in numba.prange(len(si)):
        g, h = si[k], ci[k]
        total = 0.0
        for q in range(c_geom[h], c_geom[h + 1]):
            c0, c1 = c_ring[q], c_ring[q + 1]
            ccw = c_area[q] > 0.0
            for r in range(s_geom[g], s_geom[g + 1]):
                if (s_bounds[r, 2] < c_bounds[q, 0] or s_bounds[r, 0] > c_bounds[q, 2]
                        or s_bounds[r, 3] < c_bounds[q, 1] or s_bounds[r, 1] > c_bounds[q, 3]):
                    continue
                a, b = s_ring[r], s_ring[r + 1]
                size = 2 * ((b - a) + (c1 - c0)) + 8
                piece = -1.0
                while piece < 0.0:
                    bufx = np.empty(size)
                    bufy = np.empty(size)
                    tmpx = np.empty(size)
                    tmpy = np.empty(size)
                    piece = clip_ring(sx, sy, a, b, cx, cy, c0, c1, ccw,
                                       bufx, bufy, tmpx, tmpy)
                    size *= 4
                total += s_sign[r] * piece
        out[k] = total
