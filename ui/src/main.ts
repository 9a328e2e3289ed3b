import { startApp } from "./features/app";
import { startPicker } from "./features/picker";
import { showError } from "./features/toast";

const root = document.getElementById("app")!;
// The shell opens the citation picker as a second window on this page with `#cayw`.
if (location.hash === "#cayw") startPicker(root);
else startApp(root).catch((e) => showError(e, "Start"));
