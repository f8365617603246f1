"""Every op by name, like ``torch.nn.functional``: ``import lamina.functional as F``."""

from lamina.autograd.ops import *  # noqa: F403
from lamina.autograd.ops import __doc__ as _ops_doc

__doc__ = (__doc__ or "") + "\n" + (_ops_doc or "")
