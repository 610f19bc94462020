// Focus returns to the control after a dropdown closes (ui.md § Keyboard and screen readers). MudBlazor gives it back
// after its dialogs and after a menu closed from the keyboard, but a menu closed by clicking away, or a select's first
// option chosen with the mouse (the select takes the focus back, then hides that text box to show the value in another
// element), left the focus on the page body, so the next Tab started again at the top of the page.
// Kept cheap: focus and input listeners, and an observer of MudBlazor's popover container only from the moment a
// control loses the focus to an open dropdown until that dropdown closes.
(() => {
    const containers = ".mud-popover-provider";
    let control = null;  // the control to give the focus back to
    let closed = false;  // its dropdown has closed; a blur now that no person caused is given back
    let observer = null;

    const stop = () => {
        observer?.disconnect();
        observer = null;
        control = null;
        closed = false;
    };

    // Lost: on the body, or on an element of the closed dropdown.
    const focusLost = () => !document.activeElement || document.activeElement === document.body || document.activeElement.closest(containers);

    const giveBack = () => {
        if (!control?.isConnected || !focusLost()) return;
        control.focus();
        // A select shows its value in another element than its empty text box: the focus goes to the one shown.
        if (document.activeElement !== control) control.closest(".mud-input-control")?.querySelector('[tabindex="0"]')?.focus();
    };

    const dropdownClosed = () => {
        if (document.querySelector(".mud-popover-open")) return;
        observer?.disconnect();
        observer = null;
        closed = true;
        giveBack();
    };

    document.addEventListener("focusout", event => {
        const from = event.target;
        const to = event.relatedTarget;
        if (!(from instanceof Element) || from.closest(containers)) return;
        if (closed) {
            // The control lost the focus right after its dropdown closed, with nobody acting (it was hidden or replaced).
            if (from === control && !to) setTimeout(giveBack);
            return;
        }
        if (to && !to.closest(containers)) return;
        const container = document.querySelector(containers);
        if (!container?.querySelector(".mud-popover-open")) return;
        stop();
        control = from;
        observer = new MutationObserver(dropdownClosed);
        observer.observe(container, { subtree: true, childList: true, attributes: true, attributeFilter: ["class"] });
    }, true);

    // The focus went somewhere on purpose (another control, a dialog), or the person acts again: nothing to give back.
    document.addEventListener("focusin", event => {
        if (control && event.target !== control && event.target instanceof Element && !event.target.closest(containers)) stop();
    }, true);
    for (const input of ["pointerdown", "keydown"]) {
        document.addEventListener(input, () => {
            if (closed) stop();
        }, true);
    }
})();
