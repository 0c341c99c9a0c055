"""Problems: frozen, hashable specs that ``build(dtype)`` into batched objectives."""
from .base import DTYPES, Objective
from .linear import LINE_FIT, LOSSES, STUDY_HOURS, LinearProblem
from .networks import SumOfThree
from .purchase import EDUCATION, PurchaseProblem, feature_columns, purchase_data
from .surfaces import SURFACES, SurfaceProblem, nearest_minimum

__all__ = ["DTYPES", "Objective", "LINE_FIT", "LOSSES", "STUDY_HOURS", "LinearProblem", "SumOfThree",
           "EDUCATION", "PurchaseProblem", "feature_columns", "purchase_data", "SURFACES",
           "SurfaceProblem", "nearest_minimum"]
