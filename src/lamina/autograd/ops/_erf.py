"""The complementary error function for GELU, to ~1e-16 relative in float64 (NumPy has none).

Cephes (Moshier, public domain) rational approximations on three ranges of ``|z|``.
"""

from __future__ import annotations

# Cephes (Moshier, public domain) rational approximations of erf/erfc; *1: leading coef. 1
_ERF_T = (9.604973739870516, 90.02601972038427, 2232.005345946843, 7003.325141128051,
          55592.30130103949)
_ERF_U1 = (33.56171416475031, 521.3579497801527, 4594.323829709801, 22629.000061389095,
           49267.39426086359)
_ERFC_P = (2.461969814735305e-10, 0.5641895648310689, 7.463210564422699, 48.63719709856814,
           196.5208329560771, 526.4451949954773, 934.5285271719576, 1027.5518868951572,
           557.5353353693994)
_ERFC_Q1 = (13.228195115474499, 86.70721408859897, 354.9377788878199, 975.7085017432055,
            1823.9091668790973, 2246.3376081871097, 1656.6630919416134, 557.5353408177277)
_ERFC_R = (0.5641895835477551, 1.275366707599781, 5.019050422511805, 6.160210979930536,
           7.4097426995044895, 2.9788666537210022)
_ERFC_S1 = (2.2605286322011726, 9.396035249380015, 12.048953980809666, 17.08144507475659,
            9.608968090632859, 3.369076451000815)


def _poly(x, coefs, leading_one=False):
    """Horner evaluation of a polynomial in ``x``, in place (one new array, not one per step)."""
    out = x + coefs[0] if leading_one else x * coefs[0] + coefs[1]
    for c in coefs[1 if leading_one else 2:]:
        out *= x
        out += c
    return out


def erfc(z, xp):
    """Complementary error function 1 - erf(z), to ~1e-16 relative in float64 (NumPy has none)."""
    a = xp.minimum(xp.abs(z), 30.0)  # erfc(30) ~ 1e-393 is 0.0 in float64
    a2 = a * a
    ez = xp.exp(-a2)
    r = ez * _poly(a, _ERFC_P) / _poly(a, _ERFC_Q1, True)  # 1 <= |z| < 8
    # blend in the other branches where needed, by mask arithmetic (all finite on [0, 30])
    if (a < 1.0).any():
        r += (a < 1.0) * (1.0 - a * _poly(a2, _ERF_T) / _poly(a2, _ERF_U1, True) - r)
    if (a >= 8.0).any():
        r += (a >= 8.0) * (ez * _poly(a, _ERFC_R) / _poly(a, _ERFC_S1, True) - r)
    return r + (z < 0) * (2.0 - 2.0 * r)  # erfc(-a) = 2 - erfc(a)
