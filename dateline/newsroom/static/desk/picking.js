"use strict";
// Tags, sources and authors are picked or created by typing (desk/picking.py): the admin's
// select2 autocomplete, plus "press Enter to add what you typed". A new item travels as
// "new:Name", so a tag called "2024" is never read as the item whose key is 2024.
{
    const $ = django.jQuery;

    const start = (element) => {
        const prefix = element.dataset.createPrefix;
        const noResults = element.dataset.noResults;
        if (noResults) {
            // select2 reads the element's own lang="en" before the language given here, and
            // the first to name a message wins.
            element.removeAttribute("lang");
        }
        $(element).select2({
            // An account that may not create one is told why nothing is offered.
            ...(noResults ? {language: {noResults: () => noResults}} : {}),
            ajax: {
                data: (params) => ({
                    term: params.term,
                    page: params.page,
                    app_label: element.dataset.appLabel,
                    model_name: element.dataset.modelName,
                    field_name: element.dataset.fieldName,
                }),
            },
            // "… (new)" only for an account that may create one (desk/picking.py).
            tags: element.dataset.mayCreate !== "0",
            createTag: (params) => {
                const name = params.term.trim();
                return name ? {id: prefix + name, text: name + " (new)"} : null;
            },
            // Existing items first, as any tag picker lists them: Enter takes the first
            // match, and the new name ("… (new)") comes first only when nothing matches.
            insertTag: (data, tag) => {
                if (data.length) {
                    data.push(tag);
                } else {
                    data.unshift(tag);
                }
            },
        });
    };

    $(() => $(".pick-create").not("[name*=__prefix__]").each((i, element) => start(element)));

    // A press on a button away from an open picker (any select2 of the page): select2 closes
    // the picker on mousedown and gives it the focus back, which scrolls the page to it; the
    // mouseup then fell on another element, and the press (Save) was lost. The page is put
    // back where it was once select2 has done (its listener is on the body; this one on the
    // window hears the mousedown after it), before the mouseup comes.
    let pressedAt = null;
    document.addEventListener("mousedown", (event) => {
        const away = document.querySelector(".select2-container--open")
            && !event.target.closest(".select2-container");
        pressedAt = away ? [window.scrollX, window.scrollY] : null;
    }, true);
    window.addEventListener("mousedown", () => {
        if (pressedAt && (window.scrollX !== pressedAt[0] || window.scrollY !== pressedAt[1])) {
            window.scrollTo(pressedAt[0], pressedAt[1]);
        }
        pressedAt = null;
    });
}
