"""Pure wording functions: result in, sentence / verdict / table rows out. No Streamlit, unit-tested on real runs."""
