/** A screen's own style sheet, imported for its side effect (`import "./refurbisher.css"`): Vite bundles it. */
declare module "*.css";
