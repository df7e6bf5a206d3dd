"use strict";
// The headline's character count ("64 / 300"), marked once past the headline guideline.
document.addEventListener("DOMContentLoaded", () => {
    document.querySelectorAll("input.headline-input").forEach((input) => {
        const guide = Number(input.dataset.countGuide);
        const count = document.createElement("span");
        count.className = "headline-count";
        count.id = `${input.id}_count`;
        input.insertAdjacentElement("afterend", count);
        const described = input.getAttribute("aria-describedby");
        input.setAttribute("aria-describedby", described ? `${described} ${count.id}` : count.id);
        const show = () => {
            // Characters as the server counts them (code points, not UTF-16 units).
            const n = [...input.value].length;
            const over = guide && n > guide;
            count.textContent = `${n} / ${input.maxLength > 0 ? input.maxLength : "–"}`
                + (over ? ` (over ${guide}: may be cut in lists)` : "");
            count.classList.toggle("over-guide", Boolean(over));
        };
        input.addEventListener("input", show);
        show();
    });
});
