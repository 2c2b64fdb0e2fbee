"""Biometrics: templates of one algorithm per gallery, 1:N identification (``gallery``)."""
