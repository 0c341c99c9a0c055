"""The Optimizer comparison page's sections: the race tab (settings, optimizer cards, the race view
fragment, results, the fair race's tuning, inside the optimizer, the code), the batch-size tab and
the random-restarts tab. Settings and their link parameters are declared in :mod:`.settings`."""
