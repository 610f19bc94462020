// Unsaved form input kept in the browser (sessionStorage: this tab only, gone when the tab closes), so that a page
// reloaded onto another instance gets it back. Used by the DraftKeeper component, which decides what is kept: this
// module only stores, reads and removes one draft per key. Storage can be full or refused (private modes): then
// nothing is kept and the form works as before.
const prefix = "actions.draft:";

export function load(key) {
    try {
        return sessionStorage.getItem(prefix + key);
    } catch {
        return null;
    }
}

export function save(key, json) {
    try {
        sessionStorage.setItem(prefix + key, json);
        return true;
    } catch {
        return false;
    }
}

export function remove(key) {
    try {
        sessionStorage.removeItem(prefix + key);
    } catch {
        // Nothing was kept.
    }
}
