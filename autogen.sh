#!/bin/sh
# Regenerates the autotools build (configure, Makefile.in) from a clean clone.
set -e
cd "$(dirname "$0")"
autoreconf -fi
