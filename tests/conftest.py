"""Suite-wide settings.

One torch thread: the tests run many tiny tensor ops, where extra threads only contend
(measured on a loaded 2-core machine: a test went from 8.7 s to 0.7 s). The app sets the
same for its sessions (ui/compute.py)."""
import torch

torch.set_num_threads(1)
