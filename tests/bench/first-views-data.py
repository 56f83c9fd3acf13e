#!/usr/bin/env python3
"""Writes the data `widget-first-views.lua` reads: the bench shop's members
m1..mN signed now, the first R as regulars and the rest as newcomers.
Usage: first-views-data.py MEMBERS REGULARS > DATA.lua"""
import hashlib, hmac, sys, time

SHOP, SECRET = "bench", "bench-secret-not-for-any-real-shop"
members, regulars = int(sys.argv[1]), int(sys.argv[2])
ts = int(time.time())

def signed(n):
    customer = f"m{n}"
    sig = hmac.new(SECRET.encode(), f"{SHOP}:{customer}:{ts}".encode(), hashlib.sha256).hexdigest()
    return f'    {{"{customer}", "{ts}", "{sig}"}},'

print("return {")
print(f'  shop = "{SHOP}",')
print("  regulars = {")
print("\n".join(signed(n) for n in range(1, regulars + 1)))
print("  },")
print("  newcomers = {")
print("\n".join(signed(n) for n in range(regulars + 1, members + 1)))
print("  },")
print("}")
