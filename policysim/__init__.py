"""policysim: would AWS allow this request, and why — offline."""
