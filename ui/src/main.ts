import { startApp } from "./features/app";
import { showError } from "./features/toast";

startApp(document.getElementById("app")!).catch((e) => showError(e, "Start"));
