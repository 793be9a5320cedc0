#!/bin/bash
# Regenerates tests/data/uv_bumps.tsv from uv itself: run from an empty temp dir with uv on PATH.
# prints: version<TAB>bump<TAB>result ("!" = refused)
versions="0.1.0 0.7.1 1.0 1 2.1 1.2.3.4 0.0.1 0.0.0 10.20.30 5 5.0.0.0.0 1.9 1.99.99 2023.12.1 0.2.0
1.0.0a1 1.0.0a2 1.0.0a0 1.0.0b1 1.0.0b3 1.0.0rc1 1.0.0rc2 0.9.9rc9 0.0.1a1 1.0a 1.0.0alpha1 1.0.0c1 1.0.0-rc1 1.0.0.RC1
1.0.0.post1 1.0.0.post2 1.0.0.post0 2.1.0.post1 1.0.post 1.0.0-1
1.0.0.dev0 1.0.0.dev1 1.0.0.dev3 3.2.0.dev0 3.2.0.dev 8.5.0.dev 26.4.dev0 1.0.dev 1.0.0_dev
1.0.0a1.dev1 1.0.0b2.dev0 1.0.0rc1.dev2 1.0.0rc1.post1 1.0.0rc1.post1.dev1 1.0.0.post1.dev1 1.0.0a1.post2 1.0.0b1.post1
1!1.0.0 1!0.1 2!1.0rc1 1!1.0.0.dev1 1!2.0.post3
1.0+local 1.0.0+abc.1 1.0.0rc1+local 1.0.0.dev1+x 1.0.0.post1+x 1.0rc1.dev1+abc 1.0.0.dev0+local.7 v1.0"
bumps="major minor patch stable alpha beta rc post dev major:alpha major:beta major:rc minor:alpha minor:beta minor:rc patch:alpha patch:beta patch:rc"
for v in $versions; do
  printf '[project]\nname = "demo"\nversion = "%s"\n' "$v" > pyproject.toml
  for b in $bumps; do
    args=(--bump "${b%%:*}"); [[ $b == *:* ]] && args+=(--bump "${b##*:}")
    out=$(uv version "${args[@]}" --dry-run --frozen --short 2>/dev/null) || out='!'
    printf '%s\t%s\t%s\n' "$v" "${b/:/ --pre }" "$out"
  done
done
