# Copyright (c) textboxes_retina authors. Importing this module registers its classes.
