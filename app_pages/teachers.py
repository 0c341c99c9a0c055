"""For teachers: open a class for a lesson, project its code and QR code, watch the
class's predictions arrive beside what PyTorch computes, reveal answers, download them.

The teacher link carries a secret key; on arrival it moves from the address bar into the
teacher's session, so the projected screen never shows it."""
import streamlit as st

from app_pages.sections.teachers import dashboard, open_class
from ui import classroom
from ui.layout import header

TEACHER_KEYS = "_gdl_teacher_keys"     # session: class code -> teacher key

# The key leaves the address bar before anything is drawn (and before PageState could
# record it as a setting): it lives in this browser session only.
link_key, link_code = st.query_params.get("key"), st.query_params.get("class", "")
if link_key is not None:
    del st.query_params["key"]
    if link_code and isinstance(link_key, str) and len(link_key) <= 64:
        st.session_state.setdefault(TEACHER_KEYS, {})[classroom.normalise(link_code)] = link_key

header("For teachers", "Open a class for a lesson, show the class code, and watch your class's predictions "
       "arrive beside what PyTorch computes.")
db = classroom.store()
if db is None:
    st.warning("The class database cannot be reached right now, so classes cannot be opened or shown. "
               "Every page still works for learners on their own.", icon="🏫")
    st.stop()
# Expired and closed classes are deleted whenever a teacher opens this page (and when a
# server process first opens the store), so no class outlives its days by much.
db.purge_expired()
keys = st.session_state.get(TEACHER_KEYS, {})
code = classroom.normalise(link_code) or next(reversed(keys), "")
if code and code in keys and db.is_teacher(code, keys[code]):
    dashboard.show(db, code, keys[code])
else:
    if code and code in keys:
        st.warning("That class has ended, or this is not its teacher link.", icon="🔒")
    open_class.show(db, TEACHER_KEYS)
