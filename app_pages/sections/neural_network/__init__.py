"""The Neural network page's sections: one module per tab (sum_of_three, inside, seeds, shoppers,
depth) and the widgets they share (controls). Each section reads its settings through the
page's PageState, calls one cached view in ui.compute.neural_network, and draws it with
ui.charts builders and ui.text.neural_network sentences."""
