"""The ground floor: helpers every stage may use (accounts in attrs, caches, process pools, safe outputs,
Unicode, progress bars, terminal tables). Nothing here imports a stage.
"""
