"""Test oracles: outside references the package is checked against (not package code).

- ``ic15_official_polygon3.py``: the official ICDAR 2015 Challenge 4 ``script.py`` ported onto
  the ``Polygon`` library it was written for (Polygon3); independent of the package and run as
  a script in a subprocess.
- ``ic15_per_image_reference.py``: the same protocol image by image with dense matrices and
  the script's loops, the readable reference of the package's whole-dataset implementation.

``setup.cfg`` puts ``tests/`` on pytest's ``pythonpath``: tests import them as
``oracles.<module>``.
"""
