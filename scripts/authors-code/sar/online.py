#!/usr/bin/env python3
"""online.py <cc.pgm> <rundir>... -- fraction of control steps per 100-step block in which
the point between the robot's two error sensors (10 units ahead of its centre, heading from
consecutive positions) lies within 3 world units of a dark texel of the authors' track image
(cc.png, 1000x1000 for 250x250 units; convertToGLFormat flips rows, so row = 999 - 4y).
A check of ours on the authors' logs (coordData.tsv): E = 0 both on the line and off it."""
import sys, math
def pgm(p):
    b = open(p, "rb").read(); parts = b.split(b"\n", 3); w, h = map(int, parts[1].split()); return w, h, parts[3]
W, H, px = pgm(sys.argv[1])
def dark(x, y, r=3):
    for dx in range(-r*4, r*4+1, 2):
        for dy in range(-r*4, r*4+1, 2):
            i = int(x*4) + dx; j = H-1 - (int(y*4) + dy)
            if 0 <= i < W and 0 <= j < H and px[j*W+i] < 128: return True
    return False
for d in sys.argv[2:]:
    P = []
    for l in open(d + "/coordData.tsv"):
        p = l.split()
        if len(p) == 2:
            try: P.append((float(p[0]), float(p[1])))
            except ValueError: pass
    on = []
    for k in range(1, len(P)):
        dx, dy = P[k][0]-P[k-1][0], P[k][1]-P[k-1][1]; n = math.hypot(dx, dy) or 1
        on.append(dark(P[k][0] + 10*dx/n, P[k][1] + 10*dy/n))
    blocks = [round(sum(on[i:i+100])/len(on[i:i+100]), 2) for i in range(0, len(on), 100)]
    print(d, len(on), "on-line fraction per block:", blocks)
