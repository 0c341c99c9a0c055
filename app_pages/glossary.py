"""Glossary: every term a page uses without stopping to explain it, in plain words.
Pages link their terms here (ui.glossary.link); a link opens at the term."""
import streamlit as st

from ui import glossary
from ui.params import PageState, Param

state = PageState("glossary", [Param("q", "", "text", max_len=40, label="search")])

st.title("Glossary")
st.markdown("The words the lab uses, each in a sentence or two. Pages link their terms here; "
            "the link opens this page at the term in a new tab, so your experiment stays as it was.")
query = state.text_input("q", "Find a term", placeholder="e.g. momentum, Hessian, overfit")
terms = glossary.search(query) if query.strip() else glossary.TERMS
state.finish()
if not terms:
    st.info("No term matches that. Try one word, such as *rate* or *loss*.", icon="🔎")
for term in terms:
    st.header(term.name, anchor=term.slug, divider="gray")
    st.markdown(term.short)
    if term.more:
        st.markdown(term.more)
    if term.see:
        st.markdown(":small[See also: " + " · ".join(f"[{glossary.BY_SLUG[s].name}](#{s})" for s in term.see) + "]")
