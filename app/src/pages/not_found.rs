//! The page for addresses Lectern does not know.

use crate::components::chrome::TopBar;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn NotFound() -> impl IntoView {
    super::set_status(http::StatusCode::NOT_FOUND);
    view! {
        <Title text="Not found"/>
        <TopBar context=""/>
        <main class="page narrow">
            <h1>"Nothing here"</h1>
            <p>"This address does not lead to a Lectern page. Check the link you were sent; event links look like "<code>"/e/dask-tutorial-x7k2"</code>"."</p>
        </main>
    }
}
