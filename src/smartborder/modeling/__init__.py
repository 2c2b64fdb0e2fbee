"""Border traffic modelling: scenarios, discrete-event simulation, comparison, calibration."""
