"""lamina: deep learning from first principles on NumPy.

Every gradient is readable: ``lamina.autograd`` holds the engine and the
derivative of each op; ``lamina.functional`` exposes the ops by name.
"""

from lamina.autograd import Tensor, Variable, enable_grad, is_grad_enabled, no_grad
from lamina.backend import floatx, set_floatx

__version__ = "0.1.0"

__all__ = [
    "Tensor",
    "Variable", "enable_grad", "floatx", "is_grad_enabled", "no_grad", "set_floatx"]
