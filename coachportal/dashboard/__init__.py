"""The top layer (DESIGN.md section 10): what combines every feature.

The organization dashboard (library counts beside failed uploads) and the commands that orchestrate the
features in one run (`sync_sessions`, `seed_demo`). Nothing below imports this package.
"""
