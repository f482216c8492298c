/*
 * The case form: once a region is chosen, the state list shows only the states in that
 * region's district (its <optgroup>); with no region, it shows every region's group.
 *
 * The server checks the same rule (Case.clean), so this only saves staff a refused form.
 * Each state <option> carries data-region, the id of the region whose group it sits in.
 */
"use strict";
{
    function regionOf(group) {
        const option = group.querySelector("option[data-region]");
        return option ? option.dataset.region : null;
    }

    function init() {
        const region = document.getElementById("id_region");
        const state = document.getElementById("id_state");
        if (!region || !state) {
            return;
        }
        // Every group, kept aside so a group hidden for one region can come back for another.
        const groups = Array.from(state.querySelectorAll("optgroup"));

        function groupsFor(regionId) {
            return groups.filter((group) => !regionId || regionOf(group) === regionId);
        }

        function holds(shown, value) {
            return shown.some((group) =>
                Array.from(group.querySelectorAll("option")).some((option) => option.value === value)
            );
        }

        function show(shown) {
            const chosen = state.value;
            for (const group of groups) {
                group.remove();
            }
            state.append(...shown);
            // Keep the state if the shown groups still hold it; otherwise no state.
            state.value = holds(shown, chosen) ? chosen : "";
        }

        region.addEventListener("change", () => show(groupsFor(region.value)));

        // A form sent back with the state outside the region's district keeps every group, so
        // the refused choice stays in view beside its error until the region changes.
        const shown = groupsFor(region.value);
        if (!state.value || holds(shown, state.value)) {
            show(shown);
        }
    }

    if (document.readyState === "loading") {
        document.addEventListener("DOMContentLoaded", init);
    } else {
        init();
    }
}
