"""Streamlit page scripts (st.Page targets) and, under sections/, the sections each page dispatches to."""
