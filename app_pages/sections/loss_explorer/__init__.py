"""Sections of the Loss explorer, top to bottom: the data editor and the learner's line
(data.py), the article's fact check and every error (errors.py), four losses for the same
errors (losses.py), the landscape and gradient descent from the learner's line
(descent.py). Numbers come from ui.compute.loss_explorer, wording from ui.text.loss_explorer."""
