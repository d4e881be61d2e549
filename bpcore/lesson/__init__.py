"""A lesson: its file read and validated (file), what each scene needs of it
(scene_requirements), its trace (trace), and how to read that trace (curvature, diagnosis,
progress, compare)."""
