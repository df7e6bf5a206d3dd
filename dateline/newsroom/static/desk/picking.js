"use strict";
// Tags, sources and authors are picked or created by typing (desk/picking.py): the admin's
// select2 autocomplete, plus "press Enter to add what you typed". A new item travels as
// "new:Name", so a tag called "2024" is never read as the item whose key is 2024.
{
    const $ = django.jQuery;

    const sameName = (text, typed) => {
        const t = (text || "").toLowerCase();
        // A tag reads "Sofia (place)": the typed name followed by its kind is the same name.
        return t === typed || t.startsWith(typed + " (");
    };

    const start = (element) => {
        const prefix = element.dataset.createPrefix;
        $(element).select2({
            ajax: {
                data: (params) => ({
                    term: params.term,
                    page: params.page,
                    app_label: element.dataset.appLabel,
                    model_name: element.dataset.modelName,
                    field_name: element.dataset.fieldName,
                }),
            },
            tags: true,
            createTag: (params) => {
                const name = params.term.trim();
                return name ? {id: prefix + name, text: name + " (new)"} : null;
            },
            // Enter takes the first result: an existing item of that very name, when there
            // is one, else the new one (not a longer name that merely starts the same).
            insertTag: (data, tag) => {
                const typed = tag.text.replace(/ \(new\)$/, "").toLowerCase();
                if (data.some((item) => sameName(item.text, typed))) {
                    data.push(tag);
                } else {
                    data.unshift(tag);
                }
            },
        });
    };

    $(() => $(".pick-create").not("[name*=__prefix__]").each((i, element) => start(element)));
}
