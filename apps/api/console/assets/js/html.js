/** `html` tagged templates (htm) rendering Preact elements: JSX without a build step. */
import htm from "htm";
import { h } from "preact";

export const html = htm.bind(h);
