"""What goes out of the library: the presets and platform data, the engine that draws each
size, and the Celery task and sweep that make and heal them.

Nothing is imported here: the models import the presets, and the task imports the models.
"""
