// axe-core on every view and the merchant's page, dark (see a11y.mjs).

import { a11ySuites } from "./a11y.mjs";

a11ySuites("dark");
