"""The proximal (soft-thresholding) step for L1 regularisation.

Applied after an optimizer step, it does the L1 part of "data loss + λ·Σ|w|" exactly::

    w ← sign(w) · max(|w| − lr·λ, 0)          (weights only; biases unchanged)

so a weight smaller than lr·λ lands exactly on 0. Adding λ·Σ|w| to the loss instead
moves w by −lr·λ·sign(w), which overshoots zero and leaves weights hovering around it.

Example::

    >>> soft_threshold(torch.tensor([[0.3, -0.05, 2.0]]), torch.tensor([0.1]), torch.tensor([1.0, 1.0, 0.0]))
    tensor([[0.2000, -0.0000, 2.0000]])
"""
from __future__ import annotations

import torch

__all__ = ["soft_threshold"]


def soft_threshold(theta: torch.Tensor, threshold: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """sign(θ)·max(|θ| − threshold, 0) where mask is 1, θ unchanged elsewhere.
    theta (N, P), threshold (N,) one per run, mask (P,)."""
    shrunk = torch.sign(theta) * torch.clamp(theta.abs() - threshold.unsqueeze(1), min=0)
    return torch.where(mask.bool().unsqueeze(0), shrunk, theta)
