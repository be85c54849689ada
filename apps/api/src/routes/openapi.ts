/** `GET /api/openapi.json`: the API's OpenAPI 3.1 description (no token needed). */
import { Router } from "express";
import { openApiDocument } from "../openapi/openapi-document";
import { mountRoute } from "./mount-route";

/** Where the document is served. */
export const OPENAPI_PATH = "/api/openapi.json";

export function openApiRoutes(baseUrl: string): Router {
  const router = Router();
  const document = openApiDocument(baseUrl);
  mountRoute(router, OPENAPI_PATH, { get: [(_request, response) => void response.json(document)] });
  return router;
}
