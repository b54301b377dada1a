# Copyright (c) textboxes_retina authors.
"""TrueType/OpenType fonts shipped by installed Python packages, grouped by family."""
import glob
import importlib.util
import os.path as osp
import string
from collections import OrderedDict
from functools import lru_cache
from typing import Dict, List, Tuple

#: Packages whose font files the generator uses, each with the folder of its fonts. matplotlib
#: (a dependency of mmocr) ships DejaVu, STIX and Computer Modern; the ``font-*`` packages
#: (``requirements/demo.txt``, SIL OFL 1.1 or Apache 2.0) add more families.
FONT_PACKAGES = (
    ('matplotlib', 'mpl-data/fonts/ttf'),
    ('font_amatic_sc', 'files'),
    ('font_caladea', 'files'),
    ('font_fredoka_one', 'files'),
    ('font_hanken_grotesk', 'files'),
    ('font_lato', 'files'),
    ('font_manrope', 'files'),
    ('font_roboto', 'files'),
    ('font_source_sans_pro', 'files'),
    ('font_source_serif_pro', 'files'),
)

#: Every font must draw these (letters, digits and the punctuation the generator writes).
REQUIRED_CHARS = string.ascii_letters + string.digits + '.,:-!?&/%$@#'

#: Font files that are not text faces (symbol and math fonts, a fallback) or too sparse.
_EXCLUDED = ('STIXSiz', 'STIXNonUni', 'cmex', 'cmsy', 'cmmi', 'LastResort', 'Display',
             'VariableFont')


def _package_font_files(package: str, folder: str) -> List[str]:
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        return []
    root = osp.join(list(spec.submodule_search_locations)[0], folder)
    files = glob.glob(osp.join(root, '*.ttf')) + glob.glob(osp.join(root, '*.otf'))
    # one file per face: a package that ships a face in both formats (Source Sans/Serif Pro)
    # would otherwise draw it twice as often as the others
    ttf_stems = {osp.splitext(f)[0] for f in files if f.endswith('.ttf')}
    files = [f for f in files if f.endswith('.ttf') or osp.splitext(f)[0] not in ttf_stems]
    return sorted(f for f in files if not any(x in osp.basename(f) for x in _EXCLUDED))


def covers(path: str, chars: str = REQUIRED_CHARS) -> bool:
    """Whether the font at ``path`` maps every character of ``chars`` to a glyph."""
    from fontTools.ttLib import TTFont
    try:
        cmap = TTFont(path, lazy=True, fontNumber=0).getBestCmap() or {}
    except Exception:  # an unreadable file is not a usable font
        return False
    return all(ord(c) in cmap for c in chars)


def family_name(path: str) -> str:
    """The font's family name (name table ID 1, e.g. ``'DejaVu Sans'``)."""
    from fontTools.ttLib import TTFont
    font = TTFont(path, lazy=True, fontNumber=0)
    name = font['name'].getDebugName(16) or font['name'].getDebugName(1)
    return str(name or osp.splitext(osp.basename(path))[0]).strip()


@lru_cache(maxsize=None)
def find_font_families(
        packages: Tuple[Tuple[str, str], ...] = FONT_PACKAGES) -> Dict[str, Tuple[str, ...]]:
    """Font files of the installed ``packages``, grouped by family, sorted (deterministic).

    Only fonts that draw every character of :data:`REQUIRED_CHARS` are kept. Packages that are
    not installed are skipped; only fonts from packages are used (not the machine's system
    fonts), so the same requirements give the same fonts on every machine.

    Returns:
        dict[str, tuple[str]]: Family name -> its font files, families in sorted order.
    """
    families: Dict[str, List[str]] = {}
    for package, folder in packages:
        for path in _package_font_files(package, folder):
            if covers(path):
                families.setdefault(family_name(path), []).append(path)
    return OrderedDict((name, tuple(sorted(families[name]))) for name in sorted(families))
